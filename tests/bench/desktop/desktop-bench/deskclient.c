// SPDX-License-Identifier: GPL-2.0-only
/*
 * deskclient: the desktop benchmark's X client. A 1920x1080 window redrawn
 * as fast as the X server completes it: each frame is one MIT-SHM
 * ShmPutImage of the whole window from a memfd holding two prepared
 * frames (alternated, so every frame changes every pixel and the client
 * spends no CPU on pixels), and the next frame starts when the server's
 * ShmCompletion event says the put is done. The same binary runs in dom0
 * (the local reference) and in the AppVM (whose window guid shows in dom0).
 *
 *   deskclient SECONDS [X Y [INTERVAL_MS]]
 *
 * ($DISPLAY; window at X,Y, default 40,40). With INTERVAL_MS the client
 * sleeps that long after each completed frame: isolated updates, whose
 * cost is not mixed with the next frame's drawing.
 *
 * Prints one line:
 *   BENCH client frames=N seconds=S fps=F put_median_us=M put_p99_us=P
 *         start_ns=T0 end_ns=T1 total_frames=F cpu_ms=C
 * put = ShmPutImage issued -> ShmCompletion received (a round trip to the
 * server that includes its copy); T0/T1: CLOCK_MONOTONIC of the measured
 * interval (after 20 warm-up frames); total_frames and cpu_ms (this
 * process's user + system time) cover every frame, warm-up included, and
 * not the setup (connection, window, the two frames' pixels).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>

#define W 1920
#define H 1080
#define WARMUP 20

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *m)
{
	fprintf(stderr, "deskclient: %s\n", m);
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Blocks until the ShmCompletion of our put; other events are dropped. */
static void wait_completion(xcb_connection_t *c, uint8_t shm_event)
{
	xcb_generic_event_t *ev;

	while ((ev = xcb_wait_for_event(c))) {
		uint8_t type = ev->response_type & 0x7f;

		if (type == 0)
			die("X error during ShmPutImage");
		free(ev);
		if (type == shm_event)
			return;
	}
	die("lost the X connection");
}

int main(int argc, char **argv)
{
	double seconds;
	int x = 40, y = 40, scr, interval_ms = 0;
	xcb_connection_t *c;
	xcb_screen_t *s;
	const xcb_query_extension_reply_t *ext;
	xcb_shm_query_version_reply_t *ver;
	xcb_window_t win;
	xcb_gcontext_t gc;
	xcb_shm_seg_t seg;
	uint32_t *px, vals[2];
	size_t bytes = (size_t)W * H * 4 * 2, cap = 1 << 20, n = 0;
	uint64_t *put, t0, t1, end;
	uint32_t i, frame;
	struct rusage ru, ru0;
	int fd;

	if (argc != 2 && argc != 4 && argc != 5)
		die("usage: deskclient SECONDS [X Y [INTERVAL_MS]]");
	seconds = atof(argv[1]);
	if (argc == 4) {
		x = atoi(argv[2]);
		y = atoi(argv[3]);
	}
	if (argc == 5)
		interval_ms = atoi(argv[4]);
	if (interval_ms < 0 || interval_ms > 10000)
		die("INTERVAL_MS must be 0..10000");
	if (seconds <= 0)
		die("SECONDS must be positive");
	c = xcb_connect(NULL, &scr);
	if (xcb_connection_has_error(c))
		die("cannot connect to $DISPLAY");
	s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	if (s->root_depth != 24)
		die("needs a depth-24 root");
	ext = xcb_get_extension_data(c, &xcb_shm_id);
	if (!ext || !ext->present)
		die("no MIT-SHM");
	ver = xcb_shm_query_version_reply(c, xcb_shm_query_version(c), NULL);
	if (!ver || (ver->major_version == 1 && ver->minor_version < 2))
		die("needs MIT-SHM 1.2 (ShmAttachFd)");
	free(ver);

	/* two frames: horizontal and vertical gradients */
	fd = memfd_create("deskclient", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)bytes))
		die("memfd");
	px = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (px == MAP_FAILED)
		die("mmap");
	for (i = 0; i < (uint32_t)W * H; i++) {
		uint32_t cx = i % W, cy = i / W;

		px[i] = (cx * 255 / W) << 16 | (cy * 255 / H) << 8 | 0x40;
		px[W * H + i] = (cy * 255 / H) << 16 | 0x40 << 8 | (cx * 255 / W);
	}
	seg = xcb_generate_id(c);
	xcb_shm_attach_fd(c, seg, fd, 1); /* xcb closes fd once sent */

	win = xcb_generate_id(c);
	vals[0] = s->black_pixel;
	vals[1] = XCB_EVENT_MASK_EXPOSURE;
	xcb_create_window(c, 24, win, s->root, (int16_t)x, (int16_t)y, W, H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, vals);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    10, "deskclient");
	gc = xcb_generate_id(c);
	vals[0] = 0;
	xcb_create_gc(c, gc, win, XCB_GC_GRAPHICS_EXPOSURES, vals);
	xcb_map_window(c, win);
	xcb_flush(c);
	{
		xcb_generic_event_t *ev;

		while ((ev = xcb_wait_for_event(c))) {
			uint8_t type = ev->response_type & 0x7f;

			free(ev);
			if (type == XCB_EXPOSE)
				break;
			if (type == 0)
				die("X error");
		}
	}

	put = malloc(cap * sizeof(*put));
	if (!put)
		die("malloc");
	getrusage(RUSAGE_SELF, &ru0);
	for (frame = 0;; frame++) {
		uint64_t a;

		if (frame == WARMUP) {
			t0 = now_ns();
			end = t0 + (uint64_t)(seconds * 1e9);
		}
		a = now_ns();
		xcb_shm_put_image(c, win, gc, W, 2 * H, 0, (uint16_t)((frame & 1) * H), W, H, 0, 0,
				  24, XCB_IMAGE_FORMAT_Z_PIXMAP, 1, seg, 0);
		xcb_flush(c);
		wait_completion(c, ext->first_event + XCB_SHM_COMPLETION);
		if (frame < WARMUP)
			continue;
		t1 = now_ns();
		if (n < cap)
			put[n++] = t1 - a;
		if (t1 >= end)
			break;
		if (interval_ms)
			usleep((useconds_t)interval_ms * 1000);
	}
	getrusage(RUSAGE_SELF, &ru);
	qsort(put, n, sizeof(*put), cmp_u64);
	printf("BENCH client frames=%zu seconds=%.3f fps=%.2f put_median_us=%.0f put_p99_us=%.0f "
	       "start_ns=%llu end_ns=%llu total_frames=%u cpu_ms=%.0f\n",
	       n, (t1 - t0) / 1e9, n / ((t1 - t0) / 1e9), put[n / 2] / 1e3,
	       put[n * 99 / 100] / 1e3, (unsigned long long)t0, (unsigned long long)t1, frame + 1,
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec - ru0.ru_utime.tv_sec - ru0.ru_stime.tv_sec) *
			       1e3 +
		       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec - ru0.ru_utime.tv_usec -
			ru0.ru_stime.tv_usec) / 1e3);
	fflush(stdout);
	xcb_disconnect(c);
	return 0;
}
