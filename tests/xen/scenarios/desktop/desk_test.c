// SPDX-License-Identifier: GPL-2.0-only
/*
 * desk_test: both ends of the desktop scenario's checks.
 *
 * AppVM side:
 *   desk_test draw NAME X Y SEED [WxH]
 *       a top-level window titled NAME at X,Y (240x160 unless given), always
 *       filled with pattern SEED over its whole current size; SIGUSR1
 *       redraws it with SEED+1. Writes its id to /tmp/win-NAME. Runs until
 *       killed (its window goes with it).
 *   desk_test op WIN move X Y | resize W H | map | unmap | raise | lower
 *   desk_test resizes WIN N W H
 *       N resizes that grow and shrink the window, then W x H.
 *   desk_test gstats
 *       the gntfb buffer pool's counters (DRM_IOCTL_GNTFB_STATS).
 *
 * dom0 side (the window is found by its exact title, "[vm] NAME"):
 *   desk_test check TITLE RGB FILL TIMEOUT_S [-s WxH] [-a X,Y] [-b B] [-x]
 *       until TIMEOUT_S: the frame, read back from dom0's root window, is
 *       a B-pixel (3) ring of RGB (hex) around exactly FILL, "pattern:SEED"
 *       or "solid:RRGGBB", every pixel; -s the content size, -a the
 *       content's position on the root; -x then also takes an xwd
 *       screenshot of the root (xwd -root) and checks the same pixels in it.
 *   desk_test geom TITLE       "x y w h viewable|unmapped" of the frame
 *   desk_test above A B        exit 0 iff frame A is stacked above frame B
 *   desk_test count PREFIX     top-levels whose title starts with PREFIX
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcb.h>

#include "kernel/gntfb/uapi/gntfb.h"

static uint32_t pat(unsigned int seed, unsigned int x, unsigned int y)
{
	return (((x * 3 + seed * 40) & 0xff) << 16) |
	       (((y * 3 + seed * 90) & 0xff) << 8) |
	       (((x ^ y) + seed * 17) & 0xff);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static xcb_connection_t *connect_x(void)
{
	xcb_connection_t *c = xcb_connect(NULL, NULL);

	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "cannot connect to X (DISPLAY=%s)\n", getenv("DISPLAY"));
		exit(1);
	}
	return c;
}

/* ---- AppVM side ---------------------------------------------------------- */

static volatile sig_atomic_t bump;
static void on_usr1(int s)
{
	(void)s;
	bump = 1;
}

/* fill the whole w x h window with pattern seed, in strips */
static void put(xcb_connection_t *c, xcb_window_t w, xcb_gcontext_t gc, unsigned int seed,
		unsigned int ww, unsigned int wh)
{
	unsigned int rows = 32768 / ww ? 32768 / ww : 1, x, y, y0;
	uint32_t *buf = malloc((size_t)ww * rows * 4);

	for (y0 = 0; y0 < wh; y0 += rows) {
		unsigned int n = wh - y0 < rows ? wh - y0 : rows;

		for (y = 0; y < n; y++)
			for (x = 0; x < ww; x++)
				buf[y * ww + x] = pat(seed, x, y0 + y);
		xcb_put_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, w, gc, ww, n, 0, y0, 0, 24,
			      ww * n * 4, (uint8_t *)buf);
	}
	free(buf);
	xcb_flush(c);
}

static int draw(const char *name, int x, int y, unsigned int seed, unsigned int ww,
		unsigned int wh)
{
	xcb_connection_t *c = connect_x();
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	xcb_window_t w = xcb_generate_id(c);
	xcb_gcontext_t gc = xcb_generate_id(c);
	uint32_t ev = XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_STRUCTURE_NOTIFY;
	struct pollfd pfd;
	char path[128];
	FILE *f;

	signal(SIGUSR1, on_usr1);
	xcb_create_window(c, 24, w, s->root, x, y, ww, wh, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
			  s->root_visual, XCB_CW_EVENT_MASK, &ev);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    strlen(name), name);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING, 8,
			    18, "desk_test\0DeskTest");
	xcb_create_gc(c, gc, w, 0, NULL);
	xcb_map_window(c, w);
	xcb_flush(c);
	snprintf(path, sizeof(path), "/tmp/win-%s", name);
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "0x%x\n", w);
	fclose(f);
	printf("draw: window 0x%x \"%s\" at %d,%d, %ux%u, pattern %u\n", w, name, x, y, ww, wh,
	       seed);
	fflush(stdout);
	pfd.fd = xcb_get_file_descriptor(c);
	pfd.events = POLLIN;
	for (;;) {
		xcb_generic_event_t *e;
		int dirty = 0;

		if (bump) {
			bump = 0;
			seed++;
			dirty = 1;
			printf("draw: %s pattern %u\n", name, seed);
			fflush(stdout);
		}
		while ((e = xcb_poll_for_event(c))) {
			uint8_t t = e->response_type & 0x7f;

			if (t == XCB_EXPOSE && ((xcb_expose_event_t *)e)->count == 0)
				dirty = 1;
			if (t == XCB_CONFIGURE_NOTIFY) {
				xcb_configure_notify_event_t *ce = (void *)e;

				if (ce->width != ww || ce->height != wh)
					dirty = 1;
				ww = ce->width;
				wh = ce->height;
			}
			free(e);
		}
		if (dirty)
			put(c, w, gc, seed, ww, wh);
		if (xcb_connection_has_error(c))
			return 1;
		poll(&pfd, 1, 100);
	}
}

static int op(int argc, char **argv)
{
	xcb_connection_t *c = connect_x();
	xcb_window_t w = strtoul(argv[0], NULL, 0);
	const char *o = argv[1];
	uint32_t v[2];
	xcb_void_cookie_t ck;
	xcb_generic_error_t *e;

	if (!strcmp(o, "move") && argc == 4) {
		v[0] = atoi(argv[2]);
		v[1] = atoi(argv[3]);
		ck = xcb_configure_window_checked(c, w, XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y, v);
	} else if (!strcmp(o, "resize") && argc == 4) {
		v[0] = atoi(argv[2]);
		v[1] = atoi(argv[3]);
		ck = xcb_configure_window_checked(
			c, w, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, v);
	} else if (!strcmp(o, "map") && argc == 2) {
		ck = xcb_map_window_checked(c, w);
	} else if (!strcmp(o, "unmap") && argc == 2) {
		ck = xcb_unmap_window_checked(c, w);
	} else if ((!strcmp(o, "raise") || !strcmp(o, "lower")) && argc == 2) {
		v[0] = !strcmp(o, "raise") ? XCB_STACK_MODE_ABOVE : XCB_STACK_MODE_BELOW;
		ck = xcb_configure_window_checked(c, w, XCB_CONFIG_WINDOW_STACK_MODE, v);
	} else {
		fprintf(stderr, "op: bad arguments\n");
		return 2;
	}
	e = xcb_request_check(c, ck);
	if (e) {
		fprintf(stderr, "op %s: X error %u\n", o, e->error_code);
		return 1;
	}
	xcb_disconnect(c);
	return 0;
}

/* n resizes between 40x30 and 600x400, growing and shrinking, then w x h */
static int resizes(xcb_window_t w, int n, unsigned int fw, unsigned int fh)
{
	xcb_connection_t *c = connect_x();
	uint32_t v[2];
	int i;

	for (i = 0; i < n; i++) {
		v[0] = 40 + (i * 97) % 560;
		v[1] = 30 + (i * 61) % 370;
		xcb_configure_window(c, w, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, v);
		free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL)); /* sync */
		usleep(20000);
	}
	v[0] = fw;
	v[1] = fh;
	xcb_configure_window(c, w, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, v);
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
	printf("resizes: %d sizes from 40x30 to 599x399, then %ux%u\n", n, fw, fh);
	xcb_disconnect(c);
	return 0;
}

static int gstats(void)
{
	struct drm_gntfb_stats st;
	int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, DRM_IOCTL_GNTFB_STATS, &st)) {
		perror("DRM_IOCTL_GNTFB_STATS");
		return 1;
	}
	printf("granted_pages=%u live_bufs=%u free_bufs=%u retiring_bufs=%u allocs=%llu reuses=%llu\n",
	       st.granted_pages, st.live_bufs, st.free_bufs, st.retiring_bufs,
	       (unsigned long long)st.allocs, (unsigned long long)st.reuses);
	close(fd);
	return 0;
}

/* ---- dom0 side ----------------------------------------------------------- */

struct frame {
	xcb_window_t id;
	int index; /* in the root's stacking order, bottom first */
};

/* the top-level (child of the root) titled want (or starting so), or 0 */
static int find_all(xcb_connection_t *c, xcb_window_t root, const char *want, int prefix,
		    struct frame *out, int max)
{
	xcb_query_tree_reply_t *t = xcb_query_tree_reply(c, xcb_query_tree(c, root), NULL);
	size_t wl = strlen(want);
	int i, n, found = 0;

	if (!t)
		return 0;
	n = xcb_query_tree_children_length(t);
	for (i = 0; i < n && found < max; i++) {
		xcb_window_t w = xcb_query_tree_children(t)[i];
		xcb_get_property_reply_t *p = xcb_get_property_reply(
			c, xcb_get_property(c, 0, w, XCB_ATOM_WM_NAME, XCB_GET_PROPERTY_TYPE_ANY, 0, 256), NULL);
		int len = p ? xcb_get_property_value_length(p) : 0;

		if (p && (prefix ? len >= (int)wl : len == (int)wl) &&
		    !memcmp(xcb_get_property_value(p), want, wl)) {
			out[found].id = w;
			out[found].index = i;
			found++;
		}
		free(p);
	}
	free(t);
	return found;
}

static xcb_window_t find(xcb_connection_t *c, xcb_window_t root, const char *want, int *index)
{
	struct frame f;

	if (find_all(c, root, want, 0, &f, 1) != 1)
		return 0;
	if (index)
		*index = f.index;
	return f.id;
}

struct fill {
	int solid;
	uint32_t value; /* seed or RGB */
};

static uint32_t want_px(const struct fill *fl, int x, int y)
{
	return fl->solid ? fl->value : pat(fl->value, x, y);
}

/* compare a fw x fh frame image (rows of stride pixels) with border + fill */
static int compare(const uint32_t *px, size_t stride, int fw, int fh, int b, uint32_t rgb,
		   const struct fill *fl, char *why, size_t wl)
{
	int x, y;

	for (y = 0; y < fh; y++)
		for (x = 0; x < fw; x++) {
			uint32_t got = px[y * stride + x] & 0xffffff, want;
			int in = x >= b && y >= b && x < fw - b && y < fh - b;

			want = in ? want_px(fl, x - b, y - b) : rgb;
			if (got != want) {
				snprintf(why, wl, "%s pixel %d,%d is %06x, want %06x",
					 in ? "content" : "border", in ? x - b : x, in ? y - b : y,
					 got, want);
				return 1;
			}
		}
	return 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* the same check on an xwd screenshot of the root (ZPixmap, 32 bpp) */
static int check_xwd(int fx, int fy, int fw, int fh, int b, uint32_t rgb, const struct fill *fl,
		     char *why, size_t wl)
{
	const char *file = "/tmp/desk-shot.xwd";
	unsigned char h[100];
	uint32_t hsize, bpp, bpl, ncolors, width, height, order;
	uint32_t *px;
	FILE *f;
	int y, bad;

	unlink(file);
	if (system("xwd -root -silent -out /tmp/desk-shot.xwd")) {
		snprintf(why, wl, "xwd -root failed");
		return 1;
	}
	f = fopen(file, "rb");
	if (!f || fread(h, 1, sizeof(h), f) != sizeof(h)) {
		snprintf(why, wl, "cannot read %s", file);
		return 1;
	}
	hsize = be32(h);
	width = be32(h + 16);
	height = be32(h + 20);
	order = be32(h + 28);
	bpp = be32(h + 44);
	bpl = be32(h + 48);
	ncolors = be32(h + 76);
	if (be32(h + 4) != 7 || be32(h + 8) != 2 || bpp != 32 || order != 0 || fx < 0 || fy < 0 ||
	    fx + fw > (int)width || fy + fh > (int)height) {
		snprintf(why, wl, "xwd: unexpected format (version %u, format %u, %u bpp, order %u)",
			 be32(h + 4), be32(h + 8), bpp, order);
		fclose(f);
		return 1;
	}
	px = malloc((size_t)fw * fh * 4);
	bad = 0;
	for (y = 0; y < fh && !bad; y++) {
		long off = hsize + ncolors * 12L + (long)(fy + y) * bpl + (long)fx * 4;

		if (fseek(f, off, SEEK_SET) || fread(px + (size_t)y * fw, 4, fw, f) != (size_t)fw)
			bad = 1;
	}
	fclose(f);
	if (bad) {
		snprintf(why, wl, "xwd: short file");
		free(px);
		return 1;
	}
	/* byte order 0 (LSBFirst) was checked: the pixels read as this host's */
	bad = compare(px, fw, fw, fh, b, rgb, fl, why, wl);
	free(px);
	return bad;
}

static int check(int argc, char **argv)
{
	const char *title = argv[0];
	uint32_t rgb = strtoul(argv[1], NULL, 16);
	double timeout = atof(argv[3]), end = now() + timeout;
	struct fill fl;
	int b = 3, want_w = -1, want_h = -1, at_x = 0, at_y = 0, at = 0, xwd = 0, bad = 1, i;
	char why[256] = "";
	xcb_connection_t *c = connect_x();
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	int fx = 0, fy = 0, fw = 0, fh = 0;

	if (!strncmp(argv[2], "solid:", 6)) {
		fl.solid = 1;
		fl.value = strtoul(argv[2] + 6, NULL, 16);
	} else if (!strncmp(argv[2], "pattern:", 8)) {
		fl.solid = 0;
		fl.value = strtoul(argv[2] + 8, NULL, 0);
	} else {
		fprintf(stderr, "check: FILL is pattern:SEED or solid:RRGGBB\n");
		return 2;
	}
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sscanf(argv[++i], "%dx%d", &want_w, &want_h);
		else if (!strcmp(argv[i], "-a") && i + 1 < argc)
			at = sscanf(argv[++i], "%d,%d", &at_x, &at_y) == 2;
		else if (!strcmp(argv[i], "-b") && i + 1 < argc)
			b = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-x"))
			xwd = 1;
		else
			return fprintf(stderr, "check: bad option %s\n", argv[i]), 2;
	}
	do {
		xcb_window_t f = find(c, root, title, NULL);
		xcb_get_geometry_reply_t *g;
		xcb_translate_coordinates_reply_t *tr;
		xcb_get_window_attributes_reply_t *wa;
		xcb_get_image_reply_t *im;

		bad = 1;
		if (!f) {
			snprintf(why, sizeof(why), "no top-level titled \"%s\"", title);
			goto next;
		}
		g = xcb_get_geometry_reply(c, xcb_get_geometry(c, f), NULL);
		tr = xcb_translate_coordinates_reply(c, xcb_translate_coordinates(c, f, root, 0, 0),
						     NULL);
		wa = xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, f), NULL);
		if (!g || !tr || !wa) {
			snprintf(why, sizeof(why), "frame vanished");
			free(g);
			free(tr);
			free(wa);
			goto next;
		}
		fw = g->width;
		fh = g->height;
		fx = tr->dst_x;
		fy = tr->dst_y;
		i = wa->map_state;
		free(g);
		free(tr);
		free(wa);
		if (i != XCB_MAP_STATE_VIEWABLE) {
			snprintf(why, sizeof(why), "frame not viewable");
			goto next;
		}
		if (want_w >= 0 && (fw != want_w + 2 * b || fh != want_h + 2 * b)) {
			snprintf(why, sizeof(why), "frame is %dx%d, want %dx%d", fw, fh,
				 want_w + 2 * b, want_h + 2 * b);
			goto next;
		}
		if (at && (fx != at_x - b || fy != at_y - b)) {
			snprintf(why, sizeof(why), "frame at %d,%d, want %d,%d", fx, fy, at_x - b,
				 at_y - b);
			goto next;
		}
		im = xcb_get_image_reply(c, xcb_get_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, root, fx, fy,
							  fw, fh, ~0u), NULL);
		if (!im) {
			snprintf(why, sizeof(why), "GetImage at %d,%d failed (off screen?)", fx, fy);
			goto next;
		}
		bad = compare((const uint32_t *)xcb_get_image_data(im), fw, fw, fh, b, rgb, &fl, why,
			      sizeof(why));
		free(im);
next:
		if (bad)
			usleep(200000);
	} while (bad && now() < end);
	if (!bad && xwd && check_xwd(fx, fy, fw, fh, b, rgb, &fl, why, sizeof(why))) {
		printf("%s: on the root, but the xwd screenshot differs: %s\n", title, why);
		return 1;
	}
	if (bad)
		printf("%s: %s (after %.0f s)\n", title, why, timeout);
	else
		printf("%s: frame %dx%d at %d,%d: %d-pixel %06x border around %s%s, every pixel\n",
		       title, fw, fh, fx, fy, b, rgb, argv[2], xwd ? " (root and xwd screenshot)" : "");
	xcb_disconnect(c);
	return bad;
}

static int geom(const char *title)
{
	xcb_connection_t *c = connect_x();
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	xcb_window_t f = find(c, root, title, NULL);
	xcb_get_geometry_reply_t *g;
	xcb_translate_coordinates_reply_t *tr;
	xcb_get_window_attributes_reply_t *wa;

	if (!f) {
		printf("none\n");
		return 1;
	}
	g = xcb_get_geometry_reply(c, xcb_get_geometry(c, f), NULL);
	tr = xcb_translate_coordinates_reply(c, xcb_translate_coordinates(c, f, root, 0, 0), NULL);
	wa = xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, f), NULL);
	if (!g || !tr || !wa)
		return 1;
	printf("%d %d %u %u %s\n", tr->dst_x, tr->dst_y, g->width, g->height,
	       wa->map_state == XCB_MAP_STATE_VIEWABLE ? "viewable" : "unmapped");
	return 0;
}

static int above(const char *a, const char *b)
{
	xcb_connection_t *c = connect_x();
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	int ia = -1, ib = -1;

	if (!find(c, root, a, &ia) || !find(c, root, b, &ib)) {
		printf("not both of \"%s\", \"%s\" exist\n", a, b);
		return 1;
	}
	printf("\"%s\" is %s \"%s\" (stacking positions %d, %d)\n", a, ia > ib ? "above" : "below",
	       b, ia, ib);
	return ia > ib ? 0 : 1;
}

static int count(const char *prefix)
{
	xcb_connection_t *c = connect_x();
	xcb_window_t root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	static struct frame f[1024];

	printf("%d\n", find_all(c, root, prefix, 1, f, 1024));
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int w = 240, h = 160;

	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "draw")) {
		if (argc == 7 && sscanf(argv[6], "%ux%u", &w, &h) != 2)
			return 2;
		return draw(argv[2], atoi(argv[3]), atoi(argv[4]), strtoul(argv[5], NULL, 0), w, h);
	}
	if (argc >= 4 && !strcmp(argv[1], "op"))
		return op(argc - 2, argv + 2);
	if (argc == 6 && !strcmp(argv[1], "resizes"))
		return resizes(strtoul(argv[2], NULL, 0), atoi(argv[3]), atoi(argv[4]),
			       atoi(argv[5]));
	if (argc == 2 && !strcmp(argv[1], "gstats"))
		return gstats();
	if (argc >= 6 && !strcmp(argv[1], "check"))
		return check(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "geom"))
		return geom(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "above"))
		return above(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "count"))
		return count(argv[2]);
	fprintf(stderr, "usage: see the comment at the top of desk_test.c\n");
	return 2;
}
