// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntfb_guest: guest half of the gntfb Xen-tier tests and benchmark.
 *
 *   gntfb_guest serve
 *     waits for dom0's 1920x1080 mode (XenStore gntfb/modes, hotplug),
 *     scans out a 1920x1080 XRGB8888 dumb buffer filled with t_pat(),
 *     publishes it (T_XS_BUF), then runs dom0's commands (T_XS_CMD):
 *       poke V      write V into the first and last pixel, nothing else
 *       damage N    N DIRTYFB calls, clip i = (16i, 8i)-(16i+8+i, 8i+4)
 *       hostile     grant hostile directories via gntalloc, publish them
 *       retire      a pixmap dom0 holds mapped is evicted from the pool:
 *                   its grants must outlive dom0's mapping, then end
 *       latency N   N x (DIRTYFB, wait for dom0's ack in a shared page)
 *       vchan N     send N frames over a libxenvchan to dom0
 *       exit
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>
#include <xenstore.h>
#include <xengnttab.h>
#include <libxenvchan.h>

#include "gntfb_test.h"

static struct xs_handle *xs;
static int fd = -1;
static uint32_t fb_id, crtc_id, conn_id, dir_ref, pitch;
static uint32_t *pix;
static uint64_t size;

static int xs_put(const char *key, const char *val)
{
	return xs_write(xs, XBT_NULL, key, val, strlen(val)) ? 0 : -1;
}

static int find_mode(drmModeModeInfo *mode)
{
	drmModeConnector *c;
	int i, found = 0;

	c = drmModeGetConnector(fd, conn_id);
	for (i = 0; c && i < c->count_modes; i++) {
		if (c->modes[i].hdisplay == T_W && c->modes[i].vdisplay == T_H) {
			*mode = c->modes[i];
			found = 1;
			break;
		}
	}
	drmModeFreeConnector(c);
	return found;
}

static int setup(void)
{
	struct drm_mode_create_dumb cd = { .width = T_W, .height = T_H, .bpp = 32 };
	struct drm_mode_map_dumb md = {};
	struct drm_gntfb_info info = {};
	uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};
	drmModeModeInfo mode;
	drmModeRes *res;
	char buf[128];
	uint32_t i;
	double t0;

	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return perror("open card0"), -1;
	res = drmModeGetResources(fd);
	if (!res)
		return -1;
	conn_id = res->connectors[0];
	crtc_id = res->crtcs[0];
	drmModeFreeResources(res);
	t0 = t_now();
	while (!find_mode(&mode)) {
		if (t_now() - t0 > 30)
			return fprintf(stderr, "no %ux%u mode from dom0\n", T_W, T_H), -1;
		usleep(100000);
	}
	printf("guest: dom0's %ux%u mode appeared after %.2f s\n", T_W, T_H,
	       t_now() - t0);
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd))
		return perror("create dumb"), -1;
	md.handle = cd.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
		return -1;
	pix = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, md.offset);
	if (pix == MAP_FAILED)
		return -1;
	pitch = cd.pitch;
	for (i = 0; i < pitch / 4 * T_H; i++)
		pix[i] = t_pat(i);
	handles[0] = cd.handle;
	pitches[0] = cd.pitch;
	if (drmModeAddFB2(fd, T_W, T_H, DRM_FORMAT_XRGB8888, handles, pitches,
			  offsets, &fb_id, 0))
		return perror("addfb"), -1;
	if (drmModeSetCrtc(fd, crtc_id, fb_id, 0, 0, &conn_id, 1, &mode))
		return perror("setcrtc"), -1;
	info.handle = cd.handle;
	if (drmIoctl(fd, DRM_IOCTL_GNTFB_INFO, &info))
		return perror("info"), -1;
	dir_ref = info.dir_ref;
	size = (uint64_t)pitch * T_H;
	snprintf(buf, sizeof(buf), "%u %llu %u %u %u", dir_ref,
		 (unsigned long long)size, pitch, T_W, T_H);
	printf("guest: scanout buffer published: %s (%u pages in the directory)\n",
	       buf, info.npages);
	return xs_put(T_XS_BUF, buf);
}

static int damage(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		drmModeClip c = { 16 * i, 8 * i, 16 * i + 8 + i, 8 * i + 4 };

		if (drmModeDirtyFB(fd, fb_id, &c, 1))
			return -1;
	}
	return 0;
}

/* grant crafted directories to dom0 through gntalloc; they stay granted */
static int hostile(void)
{
	xengntshr_handle *gs = xengntshr_open(NULL, 0);
	uint32_t loop[2], bad, foreign, revoked;
	struct gntfb_dir_page *d;
	uint32_t *p;
	char buf[128];
	unsigned int i;

	if (!gs)
		return -1;
	/* two directory pages pointing at each other */
	d = xengntshr_share_pages(gs, 0, 2, loop, 0);
	if (!d)
		return -1;
	d[0].next = loop[1];
	d[1].next = loop[0];
	for (i = 0; i < GNTFB_DIR_REFS_PER_PAGE; i++)
		d[0].ref[i] = d[1].ref[i] = loop[0];
	/* a directory listing refs the guest never granted */
	d = xengntshr_share_pages(gs, 0, 1, &bad, 0);
	if (!d)
		return -1;
	d->next = 0;
	for (i = 0; i < GNTFB_DIR_REFS_PER_PAGE; i++)
		d->ref[i] = 30000 + i;
	/* a page granted to some other domain */
	p = xengntshr_share_pages(gs, 1234, 1, &foreign, 0);
	if (!p)
		return -1;
	/* a ref granted then revoked (last, so no new grant reuses it) */
	p = xengntshr_share_pages(gs, 0, 1, &revoked, 0);
	if (!p)
		return -1;
	xengntshr_unshare(gs, p, 1);
	snprintf(buf, sizeof(buf), "%u %u %u %u", loop[0], bad, foreign, revoked);
	printf("guest: hostile refs: %s\n", buf);
	return xs_put(T_XS_HOSTILE, buf);
}

static char *xs_wait(const char *key, double timeout)
{
	unsigned int len;
	double t0 = t_now();
	char *v;

	while (!(v = xs_read(xs, XBT_NULL, key, &len)) && t_now() - t0 < timeout)
		usleep(20000);
	return v;
}

/*
 * A pixmap dom0 maps is freed, then pushed out of the pool by 20 others:
 * it must wait on the retiring list, still granted and intact, until dom0
 * unmaps it; then its grants end.
 */
static int retire(void)
{
	struct drm_gntfb_create c = { .width = 256, .height = 256, .bpp = 32 };
	struct drm_mode_map_dumb md = {};
	struct drm_gntfb_stats st;
	struct drm_gem_close gc;
	uint32_t *p, h[20], i;
	char buf[64], *v;
	double t0;

	if (drmIoctl(fd, DRM_IOCTL_GNTFB_CREATE, &c))
		return -1;
	md.handle = c.handle;
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
		return -1;
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, md.offset);
	if (p == MAP_FAILED)
		return -1;
	for (i = 0; i < c.size / 4; i++)
		p[i] = 0xabcd1234;
	munmap(p, c.size);
	snprintf(buf, sizeof(buf), "%u %llu", c.dir_ref, (unsigned long long)c.size);
	xs_put("data/gntfb-test/retire", buf);
	v = xs_wait("data/gntfb-test/held", 20);
	if (!v)
		return fprintf(stderr, "dom0 never held the pixmap\n"), -1;
	free(v);
	gc.handle = c.handle;
	drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
	for (i = 0; i < 20; i++) {
		struct drm_gntfb_create s = { .width = 32, .height = 32, .bpp = 32 };

		if (drmIoctl(fd, DRM_IOCTL_GNTFB_CREATE, &s))
			return -1;
		h[i] = s.handle;
	}
	for (i = 0; i < 20; i++) {
		gc.handle = h[i];
		drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	drmIoctl(fd, DRM_IOCTL_GNTFB_STATS, &st);
	printf("guest: pixmap evicted while dom0 maps it: %u retiring, %u granted pages\n",
	       st.retiring_bufs, st.granted_pages);
	if (st.retiring_bufs != 1)
		return -1;
	xs_put("data/gntfb-test/retiring", "1");
	v = xs_wait("data/gntfb-test/released", 20);
	if (!v)
		return fprintf(stderr, "dom0 never released the pixmap\n"), -1;
	free(v);
	t0 = t_now();
	do {
		usleep(100000);
		drmIoctl(fd, DRM_IOCTL_GNTFB_STATS, &st);
	} while (st.retiring_bufs && t_now() - t0 < 10);
	printf("guest: %.2f s after dom0 unmapped: %u retiring, %u granted pages\n",
	       t_now() - t0, st.retiring_bufs, st.granted_pages);
	return st.retiring_bufs ? -1 : 0;
}

/* DIRTYFB, then spin until dom0 writes the frame number into the ack page */
static int latency(unsigned int n)
{
	xengntshr_handle *gs = xengntshr_open(NULL, 0);
	volatile uint32_t *ack;
	uint32_t ref, i;
	double t0, sum = 0, max = 0, dt, ioc = 0;
	char buf[32];

	if (!gs)
		return -1;
	ack = xengntshr_share_pages(gs, 0, 1, &ref, 1);
	if (!ack)
		return -1;
	ack[0] = 0;
	snprintf(buf, sizeof(buf), "%u", ref);
	xs_put(T_XS_ACK, buf);
	/* dom0 writes 0xffffffff once it is listening */
	t0 = t_now();
	while (ack[0] != 0xffffffffu)
		if (t_now() - t0 > 20)
			return -1;
	for (i = 1; i <= n; i++) {
		drmModeClip c = { 0, 0, 64, 64 };

		pix[0] = i;
		t0 = t_now();
		if (drmModeDirtyFB(fd, fb_id, &c, 1))
			return -1;
		ioc += t_now() - t0;
		while (ack[0] != i)
			if (t_now() - t0 > 5)
				return fprintf(stderr, "no ack %u\n", i), -1;
		dt = t_now() - t0;
		sum += dt;
		if (dt > max)
			max = dt;
	}
	printf("BENCH damage->dom0 event->ack round trip: avg %.1f us (DIRTYFB ioctl %.1f us of it), max %.1f us over %u\n",
	       sum / n * 1e6, ioc / n * 1e6, max * 1e6, n);
	return 0;
}

static int vchan_send(unsigned int n)
{
	struct libxenvchan *c;
	unsigned int i;
	uint64_t off;
	int r;

	c = libxenvchan_server_init(NULL, 0, "data/gntfb-test/vchan", 65536, 65536);
	if (!c)
		return perror("vchan server"), -1;
	c->blocking = 1;
	for (i = 0; i < n; i++) {
		for (off = 0; off < size; off += r) {
			r = libxenvchan_write(c, (char *)pix + off,
					      size - off < 65536 ? size - off : 65536);
			if (r <= 0)
				return -1;
		}
	}
	{
		char ack[8];

		libxenvchan_recv(c, ack, 4);
	}
	libxenvchan_close(c);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int last = 0, seq, arg;
	char verb[32], *v, done[16];
	unsigned int len;
	int rc = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2 || strcmp(argv[1], "serve"))
		return fprintf(stderr, "usage: gntfb_guest serve\n"), 2;
	xs = xs_open(0);
	if (!xs || setup())
		return 1;
	for (;;) {
		v = xs_read(xs, XBT_NULL, T_XS_CMD, &len);
		if (!v || sscanf(v, "%u %31s %u", &seq, verb, &arg) < 2 ||
		    seq == last) {
			free(v);
			usleep(20000);
			continue;
		}
		free(v);
		last = seq;
		if (!strcmp(verb, "poke")) {
			pix[0] = arg;
			pix[pitch / 4 * T_H - 1] = arg;
		} else if (!strcmp(verb, "damage")) {
			rc = damage(arg);
		} else if (!strcmp(verb, "hostile")) {
			rc = hostile();
		} else if (!strcmp(verb, "retire")) {
			rc = retire();
		} else if (!strcmp(verb, "latency")) {
			rc = latency(arg);
		} else if (!strcmp(verb, "vchan")) {
			rc = vchan_send(arg);
		} else if (!strcmp(verb, "exit")) {
			break;
		}
		printf("guest: cmd %u %s %u -> %d\n", seq, verb, arg, rc);
		snprintf(done, sizeof(done), "%u", rc ? 0 : seq);
		xs_put(T_XS_DONE, done);
		if (rc)
			return 1;
	}
	return 0;
}
