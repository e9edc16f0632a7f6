// SPDX-License-Identifier: GPL-2.0-only
/*
 * clip_test: the AppVM-side test client of the clipboard tests (host
 * integration test and the Xen scenario tests/xen/scenarios/clipboard).
 *
 *   clip_test own text|png FILE [incr]
 *       owns CLIPBOARD with FILE's bytes (UTF8_STRING or image/png) and
 *       serves it (TARGETS too); "incr": always by INCR, 4 KiB a step.
 *       Prints "owned" once it owns the selection; runs until killed.
 *   clip_test watch DIR [TITLE]
 *       maps a 200x100 window TITLE ("clip-watch") and appends every key
 *       event it gets to DIR/keys.log ("press|release keysym=0x.. state=0x..");
 *       on Ctrl+V it converts CLIPBOARD (UTF8_STRING, else image/png) into
 *       DIR/paste-N and appends "N TYPE SIZE" to DIR/pastes.log.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

static xcb_connection_t *c;
static xcb_screen_t *scr;

static xcb_atom_t atom(const char *n)
{
	xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, strlen(n), n), NULL);
	xcb_atom_t a = r ? r->atom : XCB_NONE;

	free(r);
	return a;
}

static void send_notify(const xcb_selection_request_event_t *e, xcb_atom_t prop)
{
	xcb_selection_notify_event_t n;

	memset(&n, 0, sizeof(n));
	n.response_type = XCB_SELECTION_NOTIFY;
	n.time = e->time;
	n.requestor = e->requestor;
	n.selection = e->selection;
	n.target = e->target;
	n.property = prop;
	xcb_send_event(c, 0, e->requestor, 0, (const char *)&n);
	xcb_flush(c);
}

static int own(const char *kind, const char *file, int incr)
{
	xcb_atom_t clip = atom("CLIPBOARD"), targets = atom("TARGETS"), incr_a = atom("INCR");
	xcb_atom_t type = !strcmp(kind, "png") ? atom("image/png") : atom("UTF8_STRING");
	xcb_window_t w = xcb_generate_id(c);
	static char data[16 << 20];
	size_t len;
	FILE *f = fopen(file, "rb");
	/* INCR state: one transfer at a time */
	xcb_window_t ireq = 0;
	xcb_atom_t iprop = 0;
	size_t ioff = 0;
	int idone = 0;
	xcb_get_selection_owner_reply_t *o;
	xcb_generic_event_t *ev;

	if (!f)
		return perror(file), 1;
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	xcb_create_window(c, 0, w, scr->root, -1, -1, 1, 1, 0, XCB_WINDOW_CLASS_INPUT_ONLY,
			  XCB_COPY_FROM_PARENT, 0, NULL);
	xcb_set_selection_owner(c, w, clip, XCB_CURRENT_TIME);
	o = xcb_get_selection_owner_reply(c, xcb_get_selection_owner(c, clip), NULL);
	if (!o || o->owner != w)
		return fprintf(stderr, "own: could not own CLIPBOARD\n"), 1;
	free(o);
	printf("owned %zu bytes as %s%s\n", len, kind, incr ? " (INCR)" : "");
	fflush(stdout);
	while ((ev = xcb_wait_for_event(c))) {
		int t = ev->response_type & 0x7f;

		if (t == XCB_SELECTION_REQUEST) {
			xcb_selection_request_event_t *e = (void *)ev;
			xcb_atom_t prop = e->property ? e->property : e->target;

			if (e->target == targets) {
				xcb_atom_t v[2] = { targets, type };

				xcb_change_property(c, XCB_PROP_MODE_REPLACE, e->requestor, prop,
						    XCB_ATOM_ATOM, 32, 2, v);
				send_notify(e, prop);
			} else if (e->target == type && incr) {
				uint32_t lower = len;
				uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;

				xcb_change_window_attributes(c, e->requestor, XCB_CW_EVENT_MASK, &mask);
				xcb_change_property(c, XCB_PROP_MODE_REPLACE, e->requestor, prop,
						    incr_a, 32, 1, &lower);
				ireq = e->requestor;
				iprop = prop;
				ioff = 0;
				idone = 0;
				send_notify(e, prop);
				printf("served INCR start\n");
				fflush(stdout);
			} else if (e->target == type) {
				xcb_change_property(c, XCB_PROP_MODE_REPLACE, e->requestor, prop, type,
						    8, len, data);
				send_notify(e, prop);
				printf("served %zu bytes\n", len);
				fflush(stdout);
			} else {
				send_notify(e, XCB_NONE);
			}
		} else if (t == XCB_PROPERTY_NOTIFY) {
			xcb_property_notify_event_t *e = (void *)ev;

			if (ireq && e->window == ireq && e->atom == iprop &&
			    e->state == XCB_PROPERTY_DELETE && !idone) {
				size_t n = len - ioff > 4096 ? 4096 : len - ioff;

				xcb_change_property(c, XCB_PROP_MODE_REPLACE, ireq, iprop, type, 8, n,
						    data + ioff);
				ioff += n;
				if (n == 0) {
					idone = 1;
					printf("served INCR end, %zu bytes\n", ioff);
					fflush(stdout);
				}
				xcb_flush(c);
			}
		} else if (t == XCB_SELECTION_CLEAR) {
			printf("lost the selection\n");
			fflush(stdout);
		}
		free(ev);
	}
	return 0;
}

static uint32_t keysym_of(const xcb_get_keyboard_mapping_reply_t *m, uint8_t min, uint8_t kc)
{
	const xcb_keysym_t *k = xcb_get_keyboard_mapping_keysyms(m);
	int n = xcb_get_keyboard_mapping_keysyms_length(m);
	int i = (kc - min) * m->keysyms_per_keycode;

	return kc >= min && i < n ? k[i] : 0;
}

/* Waits for our SelectionNotify, logging key events meanwhile. */
static xcb_selection_notify_event_t wait_notify(xcb_window_t w, FILE *keys,
						const xcb_get_keyboard_mapping_reply_t *m, uint8_t min)
{
	xcb_selection_notify_event_t out;
	xcb_generic_event_t *ev;

	memset(&out, 0, sizeof(out));
	while ((ev = xcb_wait_for_event(c))) {
		int t = ev->response_type & 0x7f;

		if (t == XCB_SELECTION_NOTIFY && ((xcb_selection_notify_event_t *)ev)->requestor == w) {
			out = *(xcb_selection_notify_event_t *)ev;
			free(ev);
			break;
		}
		if (t == XCB_KEY_PRESS || t == XCB_KEY_RELEASE) {
			xcb_key_press_event_t *k = (void *)ev;

			fprintf(keys, "%s keysym=0x%x state=0x%x\n", t == XCB_KEY_PRESS ? "press" : "release",
				keysym_of(m, min, k->detail), k->state);
			fflush(keys);
		}
		free(ev);
	}
	return out;
}

static int watch(const char *dir, const char *title)
{
	xcb_atom_t clip = atom("CLIPBOARD"), targets = atom("TARGETS"), prop = atom("CLIP_TEST");
	xcb_atom_t utf8 = atom("UTF8_STRING"), png = atom("image/png");
	const xcb_setup_t *setup = xcb_get_setup(c);
	xcb_get_keyboard_mapping_reply_t *m = xcb_get_keyboard_mapping_reply(
		c, xcb_get_keyboard_mapping(c, setup->min_keycode, setup->max_keycode - setup->min_keycode + 1),
		NULL);
	uint32_t ev_mask = XCB_EVENT_MASK_KEY_PRESS | XCB_EVENT_MASK_KEY_RELEASE |
			   XCB_EVENT_MASK_EXPOSURE;
	uint32_t vals[2] = { 0x336699, ev_mask };
	xcb_window_t w = xcb_generate_id(c);
	char path[512];
	FILE *keys, *log;
	xcb_generic_event_t *ev;
	int n = 0;

	snprintf(path, sizeof(path), "%s/keys.log", dir);
	keys = fopen(path, "a");
	snprintf(path, sizeof(path), "%s/pastes.log", dir);
	log = fopen(path, "a");
	if (!keys || !log || !m)
		return fprintf(stderr, "watch: cannot open logs in %s\n", dir), 1;
	xcb_create_window(c, XCB_COPY_FROM_PARENT, w, scr->root, 10, 10, 200, 100, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, scr->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, vals);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    strlen(title), title);
	xcb_map_window(c, w);
	xcb_flush(c);
	printf("watching 0x%x\n", w);
	fflush(stdout);
	while ((ev = xcb_wait_for_event(c))) {
		int t = ev->response_type & 0x7f;

		if (t == XCB_KEY_PRESS || t == XCB_KEY_RELEASE) {
			xcb_key_press_event_t *k = (void *)ev;
			uint32_t sym = keysym_of(m, setup->min_keycode, k->detail);

			fprintf(keys, "%s keysym=0x%x state=0x%x\n", t == XCB_KEY_PRESS ? "press" : "release",
				sym, k->state);
			fflush(keys);
			if (t == XCB_KEY_PRESS && sym == 'v' && (k->state & XCB_MOD_MASK_CONTROL)) {
				xcb_selection_notify_event_t sn;
				xcb_atom_t want = XCB_NONE;
				xcb_get_property_reply_t *p;
				FILE *out;

				n++;
				xcb_convert_selection(c, w, clip, targets, prop, k->time);
				xcb_flush(c);
				sn = wait_notify(w, keys, m, setup->min_keycode);
				if (sn.property != XCB_NONE) {
					p = xcb_get_property_reply(c, xcb_get_property(c, 1, w, prop, XCB_ATOM_ATOM, 0, 256), NULL);
					if (p && p->format == 32) {
						xcb_atom_t *a = xcb_get_property_value(p);
						int i, na = xcb_get_property_value_length(p) / 4;

						for (i = 0; i < na; i++)
							if (a[i] == utf8 || (a[i] == png && want == XCB_NONE))
								want = a[i];
					}
					free(p);
				}
				if (want == XCB_NONE) {
					fprintf(log, "%d none 0\n", n);
					fflush(log);
					free(ev);
					continue;
				}
				xcb_convert_selection(c, w, clip, want, prop, k->time);
				xcb_flush(c);
				sn = wait_notify(w, keys, m, setup->min_keycode);
				p = sn.property == XCB_NONE ? NULL
					: xcb_get_property_reply(c, xcb_get_property(c, 1, w, prop, XCB_GET_PROPERTY_TYPE_ANY, 0, 1u << 22), NULL);
				snprintf(path, sizeof(path), "%s/paste-%d", dir, n);
				out = fopen(path, "wb");
				if (p && out)
					fwrite(xcb_get_property_value(p), 1, xcb_get_property_value_length(p), out);
				if (out)
					fclose(out);
				fprintf(log, "%d %s %d\n", n, want == utf8 ? "text" : "png",
					p ? xcb_get_property_value_length(p) : -1);
				fflush(log);
				free(p);
			}
		}
		free(ev);
	}
	return 0;
}

int main(int argc, char **argv)
{
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c))
		return fprintf(stderr, "clip_test: cannot connect to X\n"), 1;
	scr = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "own"))
		return own(argv[2], argv[3], argc == 5 && !strcmp(argv[4], "incr"));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "watch"))
		return watch(argv[2], argc == 4 ? argv[3] : "clip-watch");
	fprintf(stderr, "usage: clip_test own text|png FILE [incr] | watch DIR [TITLE]\n");
	return 2;
}
