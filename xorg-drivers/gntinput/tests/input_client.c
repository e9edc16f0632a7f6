// SPDX-License-Identifier: GPL-2.0-only
/*
 * input_client: the X client of the input tests (the Xen scenario
 * tests/xen/scenarios/input in an AppVM, and xorg_test.sh on the host).
 *
 *   input_client window X Y W H TYPED
 *       Maps a W x H window at (X, Y), takes the focus of its (own) X
 *       server, and logs on stdout one line per event: "K p|r KEYCODE",
 *       "B p|r BUTTON X Y ROOTX ROOTY". The text of every key press (its
 *       keysym as Unicode, Latin-1 or U+ keysyms only) is appended to the
 *       file TYPED as UTF-8.
 *   input_client raw
 *       Logs one line per XInput2 raw event on the root window ("R TYPE"):
 *       raw events report every event of every device, focus or not.
 *   input_client echo X Y W H
 *       A window titled "n=<key presses so far>", renamed on every key
 *       press (the input benchmark, tests/bench/input, watches the title in
 *       dom0).
 *   input_client down
 *       Prints the keycodes and buttons the server has down; exits 0 if
 *       none, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XInput2.h>

static int utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static unsigned long keysym_unicode(KeySym ks)
{
	if ((ks >= 0x20 && ks <= 0x7e) || (ks >= 0xa0 && ks <= 0xff))
		return ks;
	if ((ks & 0xff000000ul) == 0x01000000ul)
		return ks & 0x00fffffful;
	return 0;
}

static int do_window(Display *d, char **argv)
{
	int x = atoi(argv[2]), y = atoi(argv[3]), w = atoi(argv[4]), h = atoi(argv[5]);
	FILE *typed = fopen(argv[6], "a");
	Window win;
	XSizeHints hints = { .flags = USPosition | PPosition, .x = x, .y = y };
	XEvent ev;

	if (!typed) {
		perror(argv[6]);
		return 2;
	}
	win = XCreateSimpleWindow(d, DefaultRootWindow(d), x, y, (unsigned)w, (unsigned)h, 0, 0,
				  0xffffff);
	XSetWMNormalHints(d, win, &hints);
	XStoreName(d, win, "input-test");
	XSelectInput(d, win, KeyPressMask | KeyReleaseMask | ButtonPressMask | ButtonReleaseMask |
				     StructureNotifyMask | ExposureMask);
	XMapWindow(d, win);
	for (;;) {
		XNextEvent(d, &ev);
		switch (ev.type) {
		case MapNotify:
			XSetInputFocus(d, win, RevertToPointerRoot, CurrentTime);
			XFillRectangle(d, win, DefaultGC(d, DefaultScreen(d)), 0, 0, 8, 8);
			printf("M mapped\n");
			break;
		case Expose:
			XFillRectangle(d, win, DefaultGC(d, DefaultScreen(d)), 0, 0, 8, 8);
			break;
		case MappingNotify:
			XRefreshKeyboardMapping(&ev.xmapping);
			break;
		case KeyPress:
		case KeyRelease: {
			char buf[16], u[4];
			KeySym ks = NoSymbol;
			unsigned long cp;

			printf("K %c %u\n", ev.type == KeyPress ? 'p' : 'r', ev.xkey.keycode);
			if (ev.type != KeyPress)
				break;
			XLookupString(&ev.xkey, buf, sizeof(buf), &ks, NULL);
			cp = keysym_unicode(ks);
			if (cp) {
				fwrite(u, 1, (size_t)utf8(cp, u), typed);
				fflush(typed);
			}
			break;
		}
		case ButtonPress:
		case ButtonRelease:
			printf("B %c %u %d %d %d %d\n", ev.type == ButtonPress ? 'p' : 'r',
			       ev.xbutton.button, ev.xbutton.x, ev.xbutton.y, ev.xbutton.x_root,
			       ev.xbutton.y_root);
			break;
		default:
			break;
		}
		fflush(stdout);
	}
	return 0;
}

static int do_echo(Display *d, char **argv)
{
	Window win = XCreateSimpleWindow(d, DefaultRootWindow(d), atoi(argv[2]), atoi(argv[3]),
					 (unsigned)atoi(argv[4]), (unsigned)atoi(argv[5]), 0, 0,
					 0xffffff);
	unsigned long n = 0;
	char title[32];
	XEvent ev;

	XStoreName(d, win, "n=0");
	XSelectInput(d, win, KeyPressMask | StructureNotifyMask);
	XMapWindow(d, win);
	for (;;) {
		XNextEvent(d, &ev);
		if (ev.type == MapNotify) {
			XSetInputFocus(d, win, RevertToPointerRoot, CurrentTime);
			printf("M mapped\n");
			fflush(stdout);
		} else if (ev.type == KeyPress) {
			snprintf(title, sizeof(title), "n=%lu", ++n);
			XStoreName(d, win, title);
			XFlush(d);
		}
	}
	return 0;
}

static int do_raw(Display *d)
{
	int op, evb, erb, major = 2, minor = 2;
	unsigned char bits[XIMaskLen(XI_LASTEVENT)] = { 0 };
	XIEventMask m = { .deviceid = XIAllDevices, .mask_len = sizeof(bits), .mask = bits };
	XEvent ev;

	if (!XQueryExtension(d, "XInputExtension", &op, &evb, &erb) ||
	    XIQueryVersion(d, &major, &minor) != Success) {
		fprintf(stderr, "no XInput 2.2\n");
		return 2;
	}
	XISetMask(bits, XI_RawKeyPress);
	XISetMask(bits, XI_RawKeyRelease);
	XISetMask(bits, XI_RawButtonPress);
	XISetMask(bits, XI_RawButtonRelease);
	XISetMask(bits, XI_RawMotion);
	XISelectEvents(d, DefaultRootWindow(d), &m, 1);
	XSync(d, False);
	printf("R ready\n");
	fflush(stdout);
	for (;;) {
		XNextEvent(d, &ev);
		if (ev.xcookie.type == GenericEvent && ev.xcookie.extension == op &&
		    XGetEventData(d, &ev.xcookie)) {
			printf("R %d\n", ev.xcookie.evtype);
			fflush(stdout);
			XFreeEventData(d, &ev.xcookie);
		}
	}
	return 0;
}

static int do_down(Display *d)
{
	char keys[32];
	int i, n = 0, rx, ry, wx, wy;
	unsigned int mask;
	Window r, c;

	XQueryKeymap(d, keys);
	for (i = 0; i < 256; i++)
		if (keys[i / 8] & (1 << (i % 8))) {
			printf("key %d down\n", i);
			n++;
		}
	XQueryPointer(d, DefaultRootWindow(d), &r, &c, &rx, &ry, &wx, &wy, &mask);
	if (mask & (Button1Mask | Button2Mask | Button3Mask | Button4Mask | Button5Mask)) {
		printf("buttons down: mask 0x%x\n", mask);
		n++;
	}
	return n ? 1 : 0;
}

int main(int argc, char **argv)
{
	Display *d = XOpenDisplay(NULL);

	if (!d) {
		fprintf(stderr, "cannot open display\n");
		return 2;
	}
	if (argc == 7 && !strcmp(argv[1], "window"))
		return do_window(d, argv);
	if (argc == 6 && !strcmp(argv[1], "echo"))
		return do_echo(d, argv);
	if (argc == 2 && !strcmp(argv[1], "raw"))
		return do_raw(d);
	if (argc == 2 && !strcmp(argv[1], "down"))
		return do_down(d);
	fprintf(stderr, "usage: input_client window X Y W H TYPED | echo X Y W H | raw | down\n");
	return 2;
}
