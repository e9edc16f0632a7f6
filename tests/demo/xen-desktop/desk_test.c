// SPDX-License-Identifier: GPL-2.0-only
/*
 * desk_test: both ends of the desktop scenario's pixel checks.
 *
 *   desk_test draw X Y SEED   (AppVM) a 240x160 top-level window "pattern"
 *                             at X,Y filled with pattern SEED; SIGUSR1
 *                             redraws it with SEED+1. Runs until killed.
 *   desk_test check VM RGB SEED TIMEOUT_S [BORDER]
 *                             (dom0) find the top-level titled "[VM] pattern"
 *                             and read its frame back from the root window:
 *                             a BORDER-pixel (3) ring of RGB (hex) around
 *                             exactly pattern SEED. Polls until it matches or
 *                             TIMEOUT_S passed; prints what differs.
 */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcb.h>

#define W 240
#define H 160

static uint32_t pat(unsigned int seed, unsigned int x, unsigned int y)
{
	return (((x * 3 + seed * 40) & 0xff) << 16) |
	       (((y * 3 + seed * 90) & 0xff) << 8) |
	       (((x ^ y) + seed * 17) & 0xff);
}

static volatile sig_atomic_t bump;
static void on_usr1(int s) { (void)s; bump = 1; }

static xcb_atom_t atom(xcb_connection_t *c, const char *n)
{
	xcb_intern_atom_reply_t *r =
		xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, strlen(n), n), NULL);
	xcb_atom_t a = r ? r->atom : XCB_NONE;

	free(r);
	return a;
}

static void put(xcb_connection_t *c, xcb_window_t w, xcb_gcontext_t gc, unsigned int seed)
{
	static uint32_t buf[W * H];
	unsigned int x, y;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			buf[y * W + x] = pat(seed, x, y);
	xcb_put_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, w, gc, W, H, 0, 0, 0, 24,
		      sizeof(buf), (uint8_t *)buf);
	xcb_flush(c);
}

static int draw(int x, int y, unsigned int seed)
{
	xcb_connection_t *c = xcb_connect(NULL, NULL);
	xcb_screen_t *s;
	xcb_window_t w;
	xcb_gcontext_t gc;
	uint32_t ev = XCB_EVENT_MASK_EXPOSURE;
	struct pollfd pfd;

	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "draw: cannot connect to X\n");
		return 1;
	}
	signal(SIGUSR1, on_usr1);
	s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	w = xcb_generate_id(c);
	xcb_create_window(c, 24, w, s->root, x, y, W, H, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
			  s->root_visual, XCB_CW_EVENT_MASK, &ev);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    7, "pattern");
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING, 8,
			    18, "desk_test\0DeskTest");
	gc = xcb_generate_id(c);
	xcb_create_gc(c, gc, w, 0, NULL);
	xcb_map_window(c, w);
	xcb_flush(c);
	printf("draw: window 0x%x at %d,%d, pattern %u\n", w, x, y, seed);
	fflush(stdout);
	pfd.fd = xcb_get_file_descriptor(c);
	pfd.events = POLLIN;
	for (;;) {
		xcb_generic_event_t *e;

		if (bump) {
			bump = 0;
			seed++;
			put(c, w, gc, seed);
			printf("draw: pattern %u\n", seed);
			fflush(stdout);
		}
		while ((e = xcb_poll_for_event(c))) {
			if ((e->response_type & 0x7f) == XCB_EXPOSE)
				put(c, w, gc, seed);
			free(e);
		}
		if (xcb_connection_has_error(c))
			return 1;
		poll(&pfd, 1, 100);
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* the top-level (child of the root) titled want, or 0 */
static xcb_window_t find(xcb_connection_t *c, xcb_window_t root, const char *want)
{
	xcb_query_tree_reply_t *t = xcb_query_tree_reply(c, xcb_query_tree(c, root), NULL);
	xcb_atom_t nwm = atom(c, "_NET_WM_NAME");
	xcb_window_t found = 0;
	int i, n;

	if (!t)
		return 0;
	n = xcb_query_tree_children_length(t);
	for (i = 0; i < n && !found; i++) {
		xcb_window_t w = xcb_query_tree_children(t)[i];
		xcb_atom_t props[2] = { XCB_ATOM_WM_NAME, nwm };
		int k;

		for (k = 0; k < 2 && !found; k++) {
			xcb_get_property_reply_t *p = xcb_get_property_reply(
				c, xcb_get_property(c, 0, w, props[k], XCB_GET_PROPERTY_TYPE_ANY, 0, 256), NULL);

			if (p && xcb_get_property_value_length(p) == (int)strlen(want) &&
			    !memcmp(xcb_get_property_value(p), want, strlen(want)))
				found = w;
			free(p);
		}
	}
	free(t);
	return found;
}

/* 0 if the frame shows exactly border + pattern; else 1 and *why */
static int verify(xcb_connection_t *c, xcb_window_t root, xcb_window_t f, uint32_t rgb,
		  unsigned int seed, int b, char *why, size_t wl)
{
	xcb_get_geometry_reply_t *g = xcb_get_geometry_reply(c, xcb_get_geometry(c, f), NULL);
	xcb_translate_coordinates_reply_t *tr;
	xcb_get_image_reply_t *im;
	int fw, fh, x, y, bad = 0;
	const uint32_t *px;

	if (!g) {
		snprintf(why, wl, "no geometry");
		return 1;
	}
	fw = g->width;
	fh = g->height;
	free(g);
	if (fw != W + 2 * b || fh != H + 2 * b) {
		snprintf(why, wl, "frame is %dx%d, want %dx%d", fw, fh, W + 2 * b, H + 2 * b);
		return 1;
	}
	tr = xcb_translate_coordinates_reply(c, xcb_translate_coordinates(c, f, root, 0, 0), NULL);
	if (!tr)
		return 1;
	im = xcb_get_image_reply(c, xcb_get_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, root, tr->dst_x,
						  tr->dst_y, fw, fh, ~0u), NULL);
	if (!im) {
		snprintf(why, wl, "GetImage at %d,%d failed (off screen?)", tr->dst_x, tr->dst_y);
		free(tr);
		return 1;
	}
	px = (const uint32_t *)xcb_get_image_data(im);
	for (y = 0; y < fh && !bad; y++)
		for (x = 0; x < fw && !bad; x++) {
			uint32_t got = px[y * fw + x] & 0xffffff, want;
			int in = x >= b && y >= b && x < fw - b && y < fh - b;

			want = in ? pat(seed, x - b, y - b) : rgb;
			if (got != want) {
				snprintf(why, wl, "frame at %d,%d: %s pixel %d,%d is %06x, want %06x",
					 tr->dst_x, tr->dst_y, in ? "content" : "border",
					 in ? x - b : x, in ? y - b : y, got, want);
				bad = 1;
			}
		}
	if (!bad)
		snprintf(why, wl, "frame %dx%d at %d,%d: %d-pixel %06x border around pattern %u, every pixel",
			 fw, fh, tr->dst_x, tr->dst_y, b, rgb, seed);
	free(im);
	free(tr);
	return bad;
}

static int check(const char *vm, uint32_t rgb, unsigned int seed, double timeout, int b)
{
	xcb_connection_t *c = xcb_connect(NULL, NULL);
	xcb_window_t root, f = 0;
	char title[64], why[256] = "no window titled";
	double end = now() + timeout;
	int bad = 1;

	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "check: cannot connect to X\n");
		return 1;
	}
	root = xcb_setup_roots_iterator(xcb_get_setup(c)).data->root;
	snprintf(title, sizeof(title), "[%s] pattern", vm);
	do {
		f = find(c, root, title);
		if (f)
			bad = verify(c, root, f, rgb, seed, b, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "no top-level titled \"%s\"", title);
		if (bad)
			usleep(200000);
	} while (bad && now() < end);
	printf("%s: %s\n", title, why);
	xcb_disconnect(c);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "draw"))
		return draw(atoi(argv[2]), atoi(argv[3]), strtoul(argv[4], NULL, 0));
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "check"))
		return check(argv[2], strtoul(argv[3], NULL, 16), strtoul(argv[4], NULL, 0),
			     atof(argv[5]), argc == 7 ? atoi(argv[6]) : 3);
	fprintf(stderr, "usage: desk_test draw X Y SEED | check VM RGB SEED TIMEOUT [BORDER]\n");
	return 2;
}
