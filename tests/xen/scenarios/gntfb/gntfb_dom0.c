// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntfb_dom0: dom0 half of the gntfb Xen-tier tests and benchmark.
 * Each subcommand prints "# ..." details and exits 0 on success.
 *
 *   import D [poked]  import guest D's published buffer, check the pattern in
 *                this process and in a second one, the mmap rules, stats
 *   live D       dom0 sees the guest's later pixel change with no message
 *   ring D N     N damage events arrive in order with the guest's rects
 *   overflow D   a stalled consumer: the guest drops, then sends RESYNC
 *   retire D     a pixmap we map is evicted: grants end only after unmap
 *   hostile D    hostile imports fail with the right error, nothing leaks
 *   budget D     the per-domain page budget (module loaded with 4096)
 *   hold D S     keep a mapping, expect SIGBUS within S s (guest destroyed)
 *   stats        no import, no mapping left
 *   bench D      import+read vs vchan copy vs memcpy, damage latency
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xenstore.h>
#include <xengnttab.h>
#include <xenevtchn.h>
#include <libxenvchan.h>

#include "gntfb_test.h"

static struct xs_handle *xs;
static int dev = -1;
static unsigned int domid;
static uint32_t b_ref, b_pitch, b_w, b_h;
static uint64_t b_size;

#define FAIL(...) do { printf("# FAIL: " __VA_ARGS__); printf("\n"); return 1; } while (0)

static char *xs_get(const char *key, double timeout)
{
	char path[256];
	unsigned int len;
	double t0 = t_now();
	char *v;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	while (!(v = xs_read(xs, XBT_NULL, path, &len)) && t_now() - t0 < timeout)
		usleep(20000);
	return v;
}

static int xs_put(const char *key, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	return xs_write(xs, XBT_NULL, path, val, strlen(val)) ? 0 : -1;
}

/* run a guest command and wait for it to be done */
static int guest_cmd(const char *verb, unsigned int arg, int wait)
{
	static unsigned int seq;
	char buf[64], *v;
	double t0 = t_now();
	int ok = 0;

	if (!seq)
		seq = getpid() * 100;
	seq++;
	snprintf(buf, sizeof(buf), "%u %s %u", seq, verb, arg);
	if (xs_put(T_XS_CMD, buf))
		return -1;
	while (wait && t_now() - t0 < 60) {
		v = xs_get(T_XS_DONE, 0);
		ok = v && strtoul(v, NULL, 10) == seq;
		free(v);
		if (ok)
			return 0;
		usleep(20000);
	}
	return wait ? -1 : 0;
}

static int load_buf(void)
{
	char *v = xs_get(T_XS_BUF, 30);

	if (!v || sscanf(v, "%u %llu %u %u %u", &b_ref,
			 (unsigned long long *)&b_size, &b_pitch, &b_w, &b_h) != 5)
		return -1;
	free(v);
	return 0;
}

static int import(unsigned int d, uint32_t ref, uint64_t size, uint32_t flags)
{
	struct gntfb_import a = { .domid = d, .dir_ref = ref, .size = size,
				  .flags = flags };

	return ioctl(dev, GNTFB_IOC_IMPORT, &a) ? -errno : a.fd;
}

static int stats(struct gntfb_import_stats *st)
{
	return ioctl(dev, GNTFB_IOC_IMPORT_STATS, st);
}

static long verify(const uint32_t *p, uint64_t size, uint32_t skip_first)
{
	uint64_t i, n = size / 4;
	long bad = 0;

	for (i = skip_first; i < n; i++)
		if (p[i] != t_pat(i) && (i != n - 1 || !skip_first))
			bad++;
	return bad;
}

/* after "live", the first and last pixels hold the poked value */
static int poked;

static int cmd_import(void)
{
	struct gntfb_import_stats st;
	struct stat sb;
	uint32_t *p;
	void *q;
	double t0;
	long bad;
	pid_t pid;
	int fd, status;

	t0 = t_now();
	fd = import(domid, b_ref, b_size, 0);
	if (fd < 0)
		FAIL("import d%u ref %u: %s", domid, b_ref, strerror(-fd));
	printf("# imported d%u dir ref %u, %llu bytes in %.0f us\n", domid, b_ref,
	       (unsigned long long)b_size, (t_now() - t0) * 1e6);
	if (fstat(fd, &sb) || (uint64_t)sb.st_size != (b_size + 4095) / 4096 * 4096)
		FAIL("fstat st_size %lld", (long long)sb.st_size);
	t0 = t_now();
	/* exactly Xorg's ShmAttachFd: st_size bytes, MAP_SHARED, offset 0 */
	p = mmap(NULL, sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	printf("# mapped in %.0f us\n", (t_now() - t0) * 1e6);
	bad = verify(p, b_size, poked);
	printf("# pattern through dom0's mapping: %ld mismatches\n", bad);
	if (bad)
		return 1;
	if (stats(&st) || st.live_maps != sb.st_size / 4096 || st.live_imports != 1)
		FAIL("stats while mapped: maps %u imports %u", st.live_maps,
		     st.live_imports);
	/* another process maps the same fd on its own */
	pid = fork();
	if (!pid) {
		uint32_t *c = mmap(NULL, sb.st_size, PROT_READ, MAP_SHARED, fd, 0);

		_exit(c == MAP_FAILED ? 2 : verify(c, b_size, poked) ? 3 : 0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("second process: status %d", status);
	printf("# a second process mapped the fd and saw the pattern\n");
	q = mmap(NULL, sb.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (q != MAP_FAILED || errno != EACCES)
		FAIL("PROT_WRITE on a read-only import: %s", strerror(errno));
	q = mmap(NULL, sb.st_size + 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (q != MAP_FAILED)
		FAIL("mmap beyond st_size succeeded");
	q = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (q != MAP_FAILED)
		FAIL("MAP_PRIVATE succeeded");
	if (!mprotect(p, 4096, PROT_READ | PROT_WRITE) || !munmap(p + 1024, 4096))
		FAIL("mprotect or partial munmap succeeded");
	if (verify(p, b_size, poked))
		FAIL("mapping damaged by refused calls");
	munmap(p, sb.st_size);
	close(fd);
	if (stats(&st) || st.live_maps || st.live_imports)
		FAIL("after close: maps %u imports %u", st.live_maps, st.live_imports);
	printf("# PROT_WRITE/oversize/private/mprotect/split refused; nothing left after close\n");
	return 0;
}

static int cmd_live(void)
{
	uint32_t *p, n = b_pitch / 4 * b_h, v = 0xc0ffee00u | (getpid() & 0xff);
	double t0;
	int fd;

	fd = import(domid, b_ref, b_size, 0);
	if (fd < 0)
		FAIL("import: %s", strerror(-fd));
	p = mmap(NULL, (b_size + 4095) & ~4095ull, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		FAIL("mmap");
	if (p[0] == v)
		FAIL("value already there");
	guest_cmd("poke", v, 0);
	t0 = t_now();
	while (((volatile uint32_t *)p)[0] != v || ((volatile uint32_t *)p)[n - 1] != v)
		if (t_now() - t0 > 10)
			FAIL("guest's change never seen: %08x", p[0]);
	printf("# guest wrote %08x, dom0's existing mapping saw it after %.1f ms (no message, no re-import)\n",
	       v, (t_now() - t0) * 1e3);
	if (verify(p, b_size, 1))
		FAIL("rest of the pattern changed");
	munmap(p, (b_size + 4095) & ~4095ull);
	close(fd);
	return 0;
}

struct ring {
	xengnttab_handle *gt;
	xenevtchn_handle *xe;
	struct gntfb_ring_page *r;
	evtchn_port_t local;
	uint32_t cons;
};

static int ring_open(struct ring *rg)
{
	char *ref = xs_get("data/gntfb/ring-ref", 10), *port = xs_get("data/gntfb/event-channel", 10);
	xenevtchn_port_or_error_t l;

	if (!ref || !port)
		return -1;
	rg->gt = xengnttab_open(NULL, 0);
	rg->xe = xenevtchn_open(NULL, 0);
	if (!rg->gt || !rg->xe)
		return -1;
	rg->r = xengnttab_map_grant_ref(rg->gt, domid, strtoul(ref, NULL, 10),
					PROT_READ | PROT_WRITE);
	if (!rg->r)
		return -1;
	l = xenevtchn_bind_interdomain(rg->xe, domid, strtoul(port, NULL, 10));
	if (l < 0)
		return -1;
	rg->local = l;
	free(ref);
	free(port);
	/* copy the counter out: the guest owns this page */
	rg->cons = __atomic_load_n(&rg->r->prod, __ATOMIC_ACQUIRE);
	__atomic_store_n(&rg->r->cons, rg->cons, __ATOMIC_RELEASE);
	__atomic_store_n(&rg->r->cons_event, rg->cons + 1, __ATOMIC_SEQ_CST);
	return 0;
}

/* next event, copied out of shared memory; waits on the event channel */
static int ring_spin;	/* busy-poll prod instead of sleeping on the event channel */

static int ring_next(struct ring *rg, struct gntfb_event *ev, double timeout)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(rg->xe), .events = POLLIN };
	double t0 = t_now();
	uint32_t prod;

	for (;;) {
		prod = __atomic_load_n(&rg->r->prod, __ATOMIC_ACQUIRE);
		if (prod - rg->cons > GNTFB_RING_SIZE)
			return -2;	/* hostile producer */
		if (prod != rg->cons) {
			*ev = rg->r->ev[rg->cons % GNTFB_RING_SIZE];
			rg->cons++;
			__atomic_store_n(&rg->r->cons, rg->cons, __ATOMIC_RELEASE);
			__atomic_store_n(&rg->r->cons_event, rg->cons + 1,
					 __ATOMIC_SEQ_CST);
			return 0;
		}
		if (t_now() - t0 > timeout)
			return -1;
		if (ring_spin)
			continue;
		if (poll(&pfd, 1, 100) == 1) {
			xenevtchn_port_or_error_t p = xenevtchn_pending(rg->xe);

			if (p >= 0)
				xenevtchn_unmask(rg->xe, p);
		}
	}
}

static int cmd_ring(unsigned int n)
{
	struct gntfb_event ev;
	struct ring rg;
	unsigned int i = 0, seen = 0, seq;
	uint32_t frame = 0;
	int r;

	if (ring_open(&rg))
		FAIL("cannot open the guest's ring");
	if (rg.r->scanout_ref != b_ref || rg.r->scanout_width != b_w ||
	    rg.r->scanout_height != b_h || rg.r->scanout_pitch != b_pitch)
		FAIL("ring header scanout %u %ux%u pitch %u, want %u %ux%u %u",
		     rg.r->scanout_ref, rg.r->scanout_width, rg.r->scanout_height,
		     rg.r->scanout_pitch, b_ref, b_w, b_h, b_pitch);
	printf("# ring header names the scanout: ref %u %ux%u pitch %u\n",
	       b_ref, b_w, b_h, b_pitch);
	seq = rg.cons;
	guest_cmd("damage", n, 0);
	while (i < n) {
		r = ring_next(&rg, &ev, 10);
		if (r)
			FAIL("ring_next %d after %u events", r, i);
		if (ev.seq != seq++)
			FAIL("event seq %u, want %u", ev.seq, seq - 1);
		seen++;
		if (ev.type != GNTFB_EV_DAMAGE)
			FAIL("event type %u", ev.type);
		if (ev.dir_ref != b_ref || ev.x1 != 16 * i || ev.y1 != 8 * i ||
		    ev.x2 != 16 * i + 8 + i || ev.y2 != 8 * i + 4)
			FAIL("event %u: ref %u rect %u,%u-%u,%u", i, ev.dir_ref,
			     ev.x1, ev.y1, ev.x2, ev.y2);
		if (i && ev.frame <= frame)
			FAIL("frame %u after %u", ev.frame, frame);
		frame = ev.frame;
		i++;
	}
	printf("# %u damage events in order, one per commit, rects exact, dropped=%u\n",
	       n, rg.r->dropped);
	return rg.r->dropped ? 1 : 0;
}

/*
 * A consumer that stops: the guest keeps committing (100 frames) without
 * blocking, counts what the full ring dropped, and publishes RESYNC once
 * a (new) consumer makes room and kicks it.
 */
static int cmd_overflow(void)
{
	unsigned int i, n = 100, dropped0, damage = 0, resync = 0;
	struct gntfb_event ev;
	struct ring rg;

	if (ring_open(&rg))
		FAIL("cannot open the guest's ring");
	dropped0 = rg.r->dropped;
	/* stop consuming and asking for kicks */
	__atomic_store_n(&rg.r->cons_event, rg.cons - 1, __ATOMIC_SEQ_CST);
	if (guest_cmd("damage", n, 1))
		FAIL("the guest blocked or failed on a full ring");
	printf("# guest committed %u frames with nobody consuming; dropped %u\n",
	       n, rg.r->dropped - dropped0);
	if (rg.r->dropped - dropped0 != n - GNTFB_RING_SIZE)
		FAIL("dropped %u, want %u", rg.r->dropped - dropped0,
		     n - GNTFB_RING_SIZE);
	for (i = 0; i < GNTFB_RING_SIZE; i++) {
		if (ring_next(&rg, &ev, 5))
			FAIL("event %u missing", i);
		damage += ev.type == GNTFB_EV_DAMAGE;
	}
	/* room now: kick the guest, which publishes RESYNC */
	xenevtchn_notify(rg.xe, rg.local);
	if (ring_next(&rg, &ev, 5) || ev.type != GNTFB_EV_RESYNC)
		FAIL("no RESYNC after making room");
	resync++;
	printf("# consumer back: %u queued DAMAGE events, then RESYNC (redraw from the header)\n",
	       damage);
	return damage == GNTFB_RING_SIZE && resync == 1 ? 0 : 1;
}

/*
 * The guest evicts a pixmap this process maps: the pages must stay
 * granted and intact, a RETIRE event names it, and the grants end only
 * after we unmap.
 */
static int cmd_retire(void)
{
	uint32_t ref, *p, i;
	struct gntfb_event ev;
	unsigned long long size;
	int fd, got = 0;
	struct ring rg;
	char *v;

	if (ring_open(&rg))
		FAIL("ring");
	guest_cmd("retire", 0, 0);
	v = xs_get("data/gntfb-test/retire", 20);
	if (!v || sscanf(v, "%u %llu", &ref, &size) != 2)
		FAIL("no pixmap from the guest");
	free(v);
	fd = import(domid, ref, size, 0);
	if (fd < 0)
		FAIL("import pixmap: %s", strerror(-fd));
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		FAIL("mmap pixmap");
	xs_put("data/gntfb-test/held", "1");
	v = xs_get("data/gntfb-test/retiring", 30);
	if (!v)
		FAIL("the guest did not retire the pixmap");
	free(v);
	while (!got && !ring_next(&rg, &ev, 2))
		got = ev.type == GNTFB_EV_RETIRE && ev.dir_ref == ref;
	for (i = 0; i < size / 4; i++)
		if (p[i] != 0xabcd1234)
			FAIL("retired pixmap changed under our mapping at %u: %08x",
			     i, p[i]);
	printf("# pixmap freed and evicted by the guest: still granted and intact under our mapping; RETIRE event %s\n",
	       got ? "received" : "MISSING");
	munmap(p, size);
	close(fd);
	xs_put("data/gntfb-test/released", "1");
	return got ? 0 : 1;
}

static int expect_fail(const char *what, unsigned int d, uint32_t ref,
		       uint64_t size, int want)
{
	int fd = import(d, ref, size, 0);

	if (fd >= 0) {
		close(fd);
		FAIL("%s: import succeeded", what);
	}
	printf("# %s: refused with %s\n", what, strerror(-fd));
	if (want && fd != -want)
		FAIL("%s: want %s", what, strerror(want));
	return 0;
}

static int cmd_hostile(void)
{
	uint32_t loop, bad, foreign, revoked;
	struct gntfb_import_stats st;
	char *v;
	int rc = 0, fd;

	if (guest_cmd("hostile", 0, 1))
		FAIL("guest could not craft the hostile grants");
	v = xs_get(T_XS_HOSTILE, 5);
	if (!v || sscanf(v, "%u %u %u %u", &loop, &bad, &foreign, &revoked) != 4)
		FAIL("no hostile refs");
	free(v);
	rc |= expect_fail("looping directory", domid, loop,
			  3ull * GNTFB_DIR_REFS_PER_PAGE * 4096, ELOOP);
	rc |= expect_fail("directory listing refs never granted", domid, bad,
			  16 * 4096, 0);
	rc |= expect_fail("ref granted to another domain", domid, foreign, 4096,
			  0);
	rc |= expect_fail("revoked ref", domid, revoked, 4096, 0);
	rc |= expect_fail("size over 16384x6144x4", domid, b_ref,
			  GNTFB_MAX_BUFFER_BYTES + 1, E2BIG);
	rc |= expect_fail("size 0", domid, b_ref, 0, EINVAL);
	rc |= expect_fail("count beyond the guest's directory", domid, b_ref,
			  3ull * GNTFB_DIR_REFS_PER_PAGE * 4096, EINVAL);
	rc |= expect_fail("reserved domid", 0x7ff0, b_ref, 4096, EINVAL);
	rc |= expect_fail("domain that does not exist", 999, b_ref, 4096, ESRCH);
	if (stats(&st) || st.live_imports || st.live_maps || st.live_pages)
		FAIL("hostile imports left state: imports %u maps %u pages %u",
		     st.live_imports, st.live_maps, st.live_pages);
	/* nothing else was affected: the real buffer still imports */
	fd = import(domid, b_ref, b_size, 0);
	if (fd < 0)
		FAIL("good import after hostile ones: %s", strerror(-fd));
	close(fd);
	printf("# the good buffer still imports; no state left behind\n");
	return rc;
}

static int cmd_budget(void)
{
	int fds[3], i, n = 0, last = 0;

	/* module loaded with import_max_pages=4096: two 2025-page imports fit */
	for (i = 0; i < 3; i++) {
		fds[i] = import(domid, b_ref, b_size, 0);
		if (fds[i] >= 0)
			n++;
		else
			last = fds[i];
	}
	printf("# %d of 3 imports of %llu pages fit the 4096-page budget; the third: %s\n",
	       n, (unsigned long long)(b_size + 4095) / 4096, strerror(-last));
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return n == 2 && last == -EDQUOT ? 0 : 1;
}

static sigjmp_buf jb;

static void on_sigbus(int sig)
{
	siglongjmp(jb, sig);
}

static int cmd_hold(double secs)
{
	volatile uint32_t *p;
	uint64_t len = (b_size + 4095) & ~4095ull;
	volatile uint32_t sum = 0;
	double t0;
	int fd, sig;
	FILE *f;

	fd = import(domid, b_ref, b_size, 0);
	if (fd < 0)
		FAIL("import: %s", strerror(-fd));
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		FAIL("mmap");
	signal(SIGBUS, on_sigbus);
	signal(SIGSEGV, on_sigbus);
	f = fopen("/tmp/hold.ready", "w");
	fclose(f);
	t0 = t_now();
	sig = sigsetjmp(jb, 1);
	if (sig) {
		printf("# signal %d reading the mapping %.2f s after holding it\n",
		       sig, t_now() - t0);
		f = fopen("/tmp/hold.sigbus", "w");
		fclose(f);
		/* keep the (dead) VMA a while: the zombie must be gone already */
		sleep(3);
		munmap((void *)p, len);
		close(fd);
		return sig == SIGBUS ? 0 : 1;
	}
	while (t_now() - t0 < secs) {
		for (uint64_t i = 0; i < len / 4; i += 1024)
			sum += p[i];
		usleep(20000);
	}
	FAIL("no SIGBUS within %.0f s", secs);
}

static int cmd_stats(void)
{
	struct gntfb_import_stats st;

	if (stats(&st))
		FAIL("stats");
	printf("# live imports %u, pages %u, grant maps %u, revoked %u\n",
	       st.live_imports, st.live_pages, st.live_maps, st.revoked_imports);
	return st.live_imports || st.live_maps || st.live_pages;
}

static int cmd_bench(void)
{
	uint64_t len = (b_size + 4095) & ~4095ull, i;
	unsigned int k, iters = 20, vframes = 10;
	double t0, t_imp = 0, t_read = 0, t_cpy, t_vchan;
	struct libxenvchan *c = NULL;
	char path[128];
	uint32_t *dst, *p;
	volatile uint64_t sum = 0;
	int fd;

	dst = malloc(len);
	memset(dst, 1, len);
	for (k = 0; k < iters; k++) {
		t0 = t_now();
		fd = import(domid, b_ref, b_size, 0);
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (fd < 0 || p == MAP_FAILED)
			FAIL("import");
		memcpy(dst, p, b_size);
		munmap(p, len);
		close(fd);
		t_imp += t_now() - t0;
	}
	fd = import(domid, b_ref, b_size, 0);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	for (k = 0; k < iters; k++) {
		t0 = t_now();
		memcpy(dst, p, b_size);
		t_read += t_now() - t0;
	}
	for (i = 0; i < b_size / 4; i += 4096)
		sum += dst[i];
	munmap(p, len);
	close(fd);
	p = malloc(len);
	memset(p, 2, len);
	t0 = t_now();
	for (k = 0; k < iters; k++)
		memcpy(dst, p, b_size);
	t_cpy = (t_now() - t0) / iters;
	free(p);
	t_imp /= iters;
	t_read /= iters;
	/* the same frame over a vchan (what a copying protocol pays) */
	guest_cmd("vchan", vframes, 0);
	snprintf(path, sizeof(path), "/local/domain/%u/data/gntfb-test/vchan",
		 domid);
	for (k = 0; k < 300 && !c; k++) {
		c = libxenvchan_client_init(NULL, domid, path);
		if (!c)
			usleep(50000);
	}
	if (!c)
		FAIL("vchan connect");
	c->blocking = 1;
	t0 = t_now();
	for (k = 0; k < vframes; k++) {
		uint64_t got = 0;
		int r;

		while (got < b_size) {
			r = libxenvchan_read(c, (char *)dst + got,
					     b_size - got < 65536 ? b_size - got : 65536);
			if (r <= 0)
				FAIL("vchan read");
			got += r;
		}
	}
	t_vchan = (t_now() - t0) / vframes;
	libxenvchan_send(c, "done", 4);
	libxenvchan_close(c);
	printf("BENCH frame %ux%u (%.1f MiB), per frame, dom0 sees the whole frame:\n",
	       b_w, b_h, b_size / 1048576.0);
	printf("BENCH   gntfb import+mmap+read+unmap: %8.2f ms\n", t_imp * 1e3);
	printf("BENCH   gntfb read via a kept mapping: %8.2f ms\n", t_read * 1e3);
	printf("BENCH   vchan copy (64 KiB rings):     %8.2f ms\n", t_vchan * 1e3);
	printf("BENCH   local memcpy (physical limit): %8.2f ms\n", t_cpy * 1e3);
	printf("BENCH ratios: vchan/gntfb-kept %.1fx, vchan/gntfb-import %.1fx, gntfb-kept/memcpy %.2fx, gntfb-import/memcpy %.2fx\n",
	       t_vchan / t_read, t_vchan / t_imp, t_read / t_cpy, t_imp / t_cpy);
	return 0;
}

/* dom0 side of the latency benchmark: ack each damage event's frame */
static int cmd_latency(unsigned int n)
{
	struct gntfb_event ev;
	volatile uint32_t *ack;
	xengnttab_handle *gt;
	struct ring rg;
	unsigned int i = 0;
	char *v;

	if (ring_open(&rg))
		FAIL("ring");
	{
		char path[256];

		/* a previous run's ack page must not be taken for this one's */
		snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, T_XS_ACK);
		xs_rm(xs, XBT_NULL, path);
	}
	guest_cmd("latency", n, 0);
	v = xs_get(T_XS_ACK, 10);
	gt = xengnttab_open(NULL, 0);
	if (!v || !gt)
		FAIL("ack page");
	ack = xengnttab_map_grant_ref(gt, domid, strtoul(v, NULL, 10),
				      PROT_READ | PROT_WRITE);
	if (!ack)
		FAIL("map ack");
	rg.cons = __atomic_load_n(&rg.r->prod, __ATOMIC_ACQUIRE);
	__atomic_store_n(&rg.r->cons, rg.cons, __ATOMIC_RELEASE);
	ack[0] = 0xffffffffu;
	while (i < n) {
		if (ring_next(&rg, &ev, 10))
			FAIL("no event");
		if (ev.type != GNTFB_EV_DAMAGE)
			continue;
		i++;
		ack[0] = i;
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2)
		return 2;
	xs = xs_open(0);
	dev = open(GNTFB_IMPORT_DEVICE, O_RDWR | O_CLOEXEC);
	if (!xs || dev < 0)
		FAIL("xs_open or open %s: %s", GNTFB_IMPORT_DEVICE, strerror(errno));
	if (!strcmp(argv[1], "stats"))
		return cmd_stats();
	if (argc < 3)
		return 2;
	domid = strtoul(argv[2], NULL, 10);
	if (load_buf())
		FAIL("guest %u published no buffer", domid);
	if (!strcmp(argv[1], "import"))
		return poked = argc > 3 && !strcmp(argv[3], "poked"), cmd_import();
	if (!strcmp(argv[1], "live"))
		return cmd_live();
	if (!strcmp(argv[1], "ring"))
		return cmd_ring(argc > 3 ? atoi(argv[3]) : 32);
	if (!strcmp(argv[1], "hostile"))
		return cmd_hostile();
	if (!strcmp(argv[1], "retire")) {
		int r = cmd_retire();
		char *d;
		double t0 = t_now();

		/* the guest reports whether the grants ended after our unmap */
		while (!r && t_now() - t0 < 20) {
			d = xs_get(T_XS_DONE, 0);
			if (d && atoi(d))
				return free(d), 0;
			free(d);
			usleep(50000);
		}
		return 1;
	}
	if (!strcmp(argv[1], "overflow"))
		return cmd_overflow();
	if (!strcmp(argv[1], "budget"))
		return cmd_budget();
	if (!strcmp(argv[1], "hold"))
		return cmd_hold(argc > 3 ? atof(argv[3]) : 20);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench();
	if (!strcmp(argv[1], "latency"))
		return ring_spin = argc > 4 && !strcmp(argv[4], "spin"),
		       cmd_latency(argc > 3 ? atoi(argv[3]) : 200);
	if (!strcmp(argv[1], "exit"))
		return guest_cmd("exit", 0, 0);
	return 2;
}
