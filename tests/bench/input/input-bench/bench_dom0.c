// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_dom0: input latency and throughput, dom0 side (an X client of
 * dom0's X server, with XTest as the user).
 *
 *   bench_dom0 remote FRAME N   N key taps into the AppVM window whose dom0
 *                               frame is FRAME, one at a time: XTest press
 *                               and release, then wait until the AppVM's
 *                               echo client renamed its window "n=<i>"
 *                               (dom0 sees the frame's WM_NAME change).
 *                               Prints the round trip's median and p99.
 *   bench_dom0 local N          The same round trip inside dom0: XTest
 *                               press into a window of this client, wait
 *                               for its KeyPress event.
 *   bench_dom0 burst FRAME N    N taps without waiting, then until the
 *                               AppVM reports all N: events per second.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <time.h>
#include <xcb/xcb.h>
#include <xcb/xtest.h>

static xcb_connection_t *c;
static xcb_screen_t *s;

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void tap(uint8_t key)
{
	xcb_test_fake_input(c, XCB_KEY_PRESS, key, XCB_CURRENT_TIME, s->root, 0, 0, 0);
	xcb_test_fake_input(c, XCB_KEY_RELEASE, key, XCB_CURRENT_TIME, s->root, 0, 0, 0);
	xcb_flush(c);
}

/* The frame's title is "[vm] n=<count>": the count, or -1. */
static long title_count(xcb_window_t w)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
		c, xcb_get_property(c, 0, w, XCB_ATOM_WM_NAME, XCB_GET_PROPERTY_TYPE_ANY, 0, 64),
		NULL);
	long n = -1;

	if (r) {
		int len = xcb_get_property_value_length(r);
		char buf[300];
		char *p;

		memcpy(buf, xcb_get_property_value(r), (size_t)(len < 299 ? len : 299));
		buf[len < 299 ? len : 299] = 0;
		p = strstr(buf, "n=");
		if (p)
			n = strtol(p + 2, NULL, 10);
		free(r);
	}
	return n;
}

/* Waits until the frame's count reaches @want (-1 after 30 s without a
 * property change). */
static int wait_count(xcb_window_t frame, long want)
{
	xcb_generic_event_t *e;
	struct pollfd p = { .fd = xcb_get_file_descriptor(c), .events = POLLIN };

	while (title_count(frame) < want) {
		while (!(e = xcb_poll_for_event(c))) {
			if (xcb_connection_has_error(c) || poll(&p, 1, 30000) <= 0) {
				fprintf(stderr, "no title change towards n=%ld\n", want);
				return -1;
			}
		}
		free(e);
	}
	return 0;
}

static void report(const char *what, uint64_t *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("BENCH %s: %d round trips, median %.3f ms, p99 %.3f ms, min %.3f ms\n", what, n,
	       t[n / 2] / 1e6, t[n * 99 / 100] / 1e6, t[0] / 1e6);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[argc - 1]) : 0;
	uint64_t *t = calloc((size_t)(n > 0 ? n : 1), sizeof(uint64_t));
	int i;

	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c) || n <= 0) {
		fprintf(stderr, "usage: bench_dom0 remote FRAME N | local N | burst FRAME N\n");
		return 2;
	}
	s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	if (!strcmp(argv[1], "local")) {
		xcb_window_t w = xcb_generate_id(c);
		uint32_t v[] = { XCB_EVENT_MASK_KEY_PRESS };
		xcb_generic_event_t *e;

		xcb_create_window(c, XCB_COPY_FROM_PARENT, w, s->root, 0, 0, 50, 50, 0,
				  XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT,
				  XCB_CW_EVENT_MASK, v);
		xcb_map_window(c, w);
		free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
		xcb_set_input_focus(c, XCB_INPUT_FOCUS_PARENT, w, XCB_CURRENT_TIME);
		free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
		for (i = 0; i < n; i++) {
			uint64_t t0 = now_ns();

			tap(38);
			while ((e = xcb_wait_for_event(c))) {
				int kp = (e->response_type & 0x7f) == XCB_KEY_PRESS;

				free(e);
				if (kp)
					break;
			}
			t[i] = now_ns() - t0;
		}
		report("local XTest key -> own dom0 window", t, n);
		return 0;
	}
	if (argc != 4)
		return 2;
	xcb_window_t frame = (xcb_window_t)strtoul(argv[2], NULL, 0);
	uint32_t pv[] = { XCB_EVENT_MASK_PROPERTY_CHANGE };
	long base;

	xcb_change_window_attributes(c, frame, XCB_CW_EVENT_MASK, pv);
	xcb_set_input_focus(c, XCB_INPUT_FOCUS_PARENT, frame, XCB_CURRENT_TIME);
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
	base = title_count(frame);
	if (base < 0) {
		fprintf(stderr, "frame 0x%x has no n= title\n", frame);
		return 1;
	}
	if (!strcmp(argv[1], "remote")) {
		for (i = 0; i < n; i++) {
			uint64_t t0 = now_ns();

			tap(38);
			if (wait_count(frame, base + i + 1))
				return 1;
			t[i] = now_ns() - t0;
		}
		report("dom0 XTest key -> AppVM client -> title back in dom0", t, n);
		return 0;
	}
	if (!strcmp(argv[1], "burst")) {
		uint64_t t0 = now_ns(), dt;

		for (i = 0; i < n; i++)
			tap(38);
		if (wait_count(frame, base + n))
			return 1;
		dt = now_ns() - t0;
		printf("BENCH burst: %d key events (press+release) into the AppVM in %.3f s: "
		       "%.0f events/s\n",
		       2 * n, dt / 1e9, 2 * n / (dt / 1e9));
		return 0;
	}
	return 2;
}
