/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gntfb_xorg_client: the X client half of the gntfb driver's host test
 * (xorg_test.sh). It plays bulkhead-agent against a real Xorg running
 * gntfb_drv.so with Option "Backend" "memfd":
 *
 *   - Composite manual redirection of the root's children;
 *   - a mapped 300x200 top-level gets _BULKHEAD_GNTFB_BUFFER
 *     {dir_ref, 300, 200, 1200, XR24}, and what is drawn into the window
 *     is in that buffer: the memfd "gntfb-<dir_ref>" of the Xorg process,
 *     read through /proc/<pid>/fd;
 *   - a resize publishes a new buffer of the new size with the new pixels;
 *   - a depth-32 window gets an AR24 buffer;
 *   - a small window (under PixmapMinPixels) gets no property;
 *   - destroying a window gives its buffer back (the memfd is closed);
 *   - rewriting the fake mode list resizes the screen (hotplug).
 *
 * Usage: gntfb_xorg_client XORG_PID MODES_FILE   (DISPLAY set)
 * Prints one line per check; exits 0 when all pass.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xcb/composite.h>
#include <xcb/xcb.h>

#define FOURCC_XRGB8888 0x34325258u
#define FOURCC_ARGB8888 0x34325241u

static xcb_connection_t *c;
static xcb_screen_t *scr;
static xcb_atom_t prop;
static pid_t xorg_pid;
static int failures;

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (cond) {                                                                \
			printf("ok: ");                                                    \
		} else {                                                                   \
			printf("FAIL: ");                                                  \
			failures++;                                                        \
		}                                                                          \
		printf(__VA_ARGS__);                                                       \
		printf("\n");                                                              \
		fflush(stdout);                                                            \
	} while (0)

static void sync_server(void)
{
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The property's five values; 0 if absent or malformed. */
static int get_buffer_prop(xcb_window_t w, uint32_t v[5])
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
		c, xcb_get_property(c, 0, w, prop, XCB_ATOM_CARDINAL, 0, 5), NULL);
	int ok = r && r->format == 32 && r->type == XCB_ATOM_CARDINAL &&
		 xcb_get_property_value_length(r) == 20;

	if (ok)
		memcpy(v, xcb_get_property_value(r), 20);
	free(r);
	return ok;
}

/* Wait until the property names a buffer of w x h. */
static int wait_buffer_prop(xcb_window_t win, uint32_t w, uint32_t h, uint32_t v[5])
{
	double end = now() + 5;

	while (now() < end) {
		if (get_buffer_prop(win, v) && v[1] == w && v[2] == h)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* The memfd "gntfb-<ref>" in the Xorg process: its fd path, or 0. */
static int find_buffer_fd(uint32_t ref, char *path, size_t len)
{
	char dir[64], want[64], link[256], p[320];
	struct dirent *e;
	DIR *d;
	int found = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)xorg_pid);
	snprintf(want, sizeof(want), "/memfd:gntfb-%u (deleted)", ref);
	d = opendir(dir);
	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		ssize_t n;

		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		n = readlink(p, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (strcmp(link, want) == 0) {
			snprintf(path, len, "%s", p);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

/* Pixel (x, y) of buffer v as the X server wrote it into the memfd. */
static int read_buffer_pixel(const uint32_t v[5], int x, int y, uint32_t *out)
{
	char path[320];
	size_t size = (size_t)v[3] * v[2];
	void *m;
	int fd;

	if (!find_buffer_fd(v[0], path, sizeof(path)))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	memcpy(out, (const char *)m + (size_t)y * v[3] + (size_t)x * 4, 4);
	munmap(m, size);
	return 1;
}

static void fill(xcb_window_t w, uint32_t pixel, int16_t x, int16_t y, uint16_t cw, uint16_t ch)
{
	xcb_gcontext_t gc = xcb_generate_id(c);
	xcb_rectangle_t r = { x, y, cw, ch };

	xcb_create_gc(c, gc, w, XCB_GC_FOREGROUND, &pixel);
	xcb_poly_fill_rectangle(c, w, gc, 1, &r);
	xcb_free_gc(c, gc);
	sync_server();
}

static void expect_pixel(const uint32_t v[5], int x, int y, uint32_t want, uint32_t mask,
			 const char *what)
{
	uint32_t got = 0;
	int ok = read_buffer_pixel(v, x, y, &got);

	CHECK(ok && (got & mask) == want,
	      "%s: buffer %u pixel (%d,%d) = 0x%08x (want 0x%08x)%s", what, v[0], x, y, got, want,
	      ok ? "" : " [memfd not found]");
}

static xcb_window_t make_window(uint8_t depth, xcb_visualid_t visual, uint16_t w, uint16_t h,
				uint32_t bg)
{
	xcb_window_t win = xcb_generate_id(c);
	/* NorthWest bit gravity: a resize keeps the old pixels */
	uint32_t mask = XCB_CW_BACK_PIXEL | XCB_CW_BORDER_PIXEL | XCB_CW_BIT_GRAVITY |
			XCB_CW_OVERRIDE_REDIRECT;
	uint32_t vals[5] = { bg, 0, XCB_GRAVITY_NORTH_WEST, 1, 0 };

	if (depth != scr->root_depth) {
		xcb_colormap_t cmap = xcb_generate_id(c);

		xcb_create_colormap(c, XCB_COLORMAP_ALLOC_NONE, cmap, scr->root, visual);
		mask |= XCB_CW_COLORMAP;
		vals[4] = cmap;
	}
	xcb_create_window(c, depth, win, scr->root, 20, 20, w, h, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, visual, mask, vals);
	xcb_map_window(c, win);
	sync_server();
	return win;
}

static xcb_visualid_t argb_visual(void)
{
	xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator(scr);

	for (; d.rem; xcb_depth_next(&d)) {
		xcb_visualtype_iterator_t v = xcb_depth_visuals_iterator(d.data);

		if (d.data->depth != 32)
			continue;
		for (; v.rem; xcb_visualtype_next(&v))
			if (v.data->_class == XCB_VISUAL_CLASS_TRUE_COLOR)
				return v.data->visual_id;
	}
	return 0;
}

static int root_size(uint16_t *w, uint16_t *h)
{
	xcb_get_geometry_reply_t *g =
		xcb_get_geometry_reply(c, xcb_get_geometry(c, scr->root), NULL);

	if (!g)
		return 0;
	*w = g->width;
	*h = g->height;
	free(g);
	return 1;
}

int main(int argc, char **argv)
{
	const char *name = "_BULKHEAD_GNTFB_BUFFER";
	xcb_intern_atom_reply_t *ar;
	xcb_composite_query_version_reply_t *cv;
	xcb_window_t win, small, argb;
	uint32_t v[5], v2[5], vals[2];
	char path[320];
	xcb_visualid_t av;
	uint16_t rw = 0, rh = 0;
	double end;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: %s XORG_PID MODES_FILE\n", argv[0]);
		return 2;
	}
	xorg_pid = (pid_t)atoi(argv[1]);
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "cannot connect to $DISPLAY\n");
		return 2;
	}
	scr = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	ar = xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, strlen(name), name), NULL);
	prop = ar ? ar->atom : XCB_ATOM_NONE;
	free(ar);
	cv = xcb_composite_query_version_reply(c, xcb_composite_query_version(c, 0, 4), NULL);
	CHECK(cv != NULL, "Composite present");
	if (!cv)
		return 1;
	free(cv);
	xcb_composite_redirect_subwindows(c, scr->root, XCB_COMPOSITE_REDIRECT_MANUAL);

	/* 1. a redirected top-level gets its buffer, and the pixels are in it */
	win = make_window(scr->root_depth, scr->root_visual, 300, 200, 0x336699);
	CHECK(wait_buffer_prop(win, 300, 200, v), "300x200 window: property {%u, %u, %u, %u, 0x%x}",
	      v[0], v[1], v[2], v[3], v[4]);
	CHECK(v[3] == 1200 && v[4] == FOURCC_XRGB8888 && v[0] != 0,
	      "stride 1200, XRGB8888, nonzero dir ref");
	fill(win, 0xff0000, 10, 10, 50, 40);
	expect_pixel(v, 5, 5, 0x336699, 0xffffff, "background");
	expect_pixel(v, 20, 20, 0xff0000, 0xffffff, "drawn rectangle");
	expect_pixel(v, 299, 199, 0x336699, 0xffffff, "last pixel");

	/* 2. resize: a new buffer of the new size */
	vals[0] = 400;
	vals[1] = 250;
	xcb_configure_window(c, win, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, vals);
	sync_server();
	CHECK(wait_buffer_prop(win, 400, 250, v2), "resized to 400x250: property {%u, %u, %u, %u}",
	      v2[0], v2[1], v2[2], v2[3]);
	CHECK(v2[0] != v[0] && v2[3] == 1600, "new dir ref %u (was %u), stride 1600", v2[0], v[0]);
	fill(win, 0x00ff00, 350, 200, 20, 20);
	expect_pixel(v2, 355, 205, 0x00ff00, 0xffffff, "drawn after resize");
	expect_pixel(v2, 20, 20, 0xff0000, 0xffffff, "old content kept across resize");
	CHECK(!find_buffer_fd(v[0], path, sizeof(path)), "old buffer %u given back", v[0]);

	/* 3. depth 32: ARGB8888 */
	av = argb_visual();
	CHECK(av != 0, "a depth-32 TrueColor visual");
	if (av) {
		argb = make_window(32, av, 128, 64, 0x80102030);
		CHECK(wait_buffer_prop(argb, 128, 64, v), "depth-32 window: fourcc 0x%x", v[4]);
		CHECK(v[4] == FOURCC_ARGB8888 && v[3] == 512, "ARGB8888, stride 512");
		expect_pixel(v, 1, 1, 0x80102030, 0xffffffff, "ARGB background");
		xcb_destroy_window(c, argb);
	}

	/* 4. below PixmapMinPixels: ordinary memory, no property */
	small = make_window(scr->root_depth, scr->root_visual, 32, 32, 0);
	CHECK(!get_buffer_prop(small, v), "32x32 window: no property (ordinary memory)");

	/* 5. destroy gives the buffer back */
	xcb_destroy_window(c, win);
	sync_server();
	end = now() + 2;
	while (find_buffer_fd(v2[0], path, sizeof(path)) && now() < end)
		usleep(10000);
	CHECK(!find_buffer_fd(v2[0], path, sizeof(path)), "destroyed window's buffer %u given back",
	      v2[0]);

	/* 6. dom0 changes its output: the screen follows the preferred mode */
	f = fopen(argv[2], "w");
	CHECK(f != NULL, "rewrite %s", argv[2]);
	if (f) {
		fputs("800x600 1024x768\n", f);
		fclose(f);
	}
	end = now() + 5;
	while (now() < end && root_size(&rw, &rh) && !(rw == 800 && rh == 600))
		usleep(20000);
	CHECK(rw == 800 && rh == 600, "screen resized to dom0's preferred 800x600 (now %ux%u)", rw,
	      rh);

	xcb_disconnect(c);
	printf("%s: %d failed\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
