// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntinput: Xorg input driver of an AppVM. dom0's bulkhead-guid writes
 * keyboard and pointer events into a page this driver grants it; the driver
 * posts them into this X server. The X side is this file only: ring decoding
 * and validation are lib/consumer.c, the Xen side src/xen_glue.c.
 *
 * Two devices of this driver (two InputDevice sections): Option "Role"
 * "pointer" (the default) is the absolute pointer and owns the ring; Role
 * "keyboard" is the keyboard, into which the pointer device posts key
 * events. Two devices because a slave pointer with keys never updates the
 * core keyboard's modifier state (Shift would be lost). Events are read on
 * the main thread (SetNotifyFd on the event channel) and posted under the
 * input lock; a LAYOUT event compiles dom0's XKB names and applies the
 * keymap to the keyboard device and its master. The AppVM's own key repeat
 * is off: dom0's X server repeats, and its repeats arrive as events.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <xorg-server.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <exevents.h>
#include <inputstr.h>
#include <xf86.h>
#include <xf86Module.h>
#include <xf86Xinput.h>
#include <xkbsrv.h>
#include <xserver-properties.h>

#include "consumer.h"
#include "xen_glue.h"

#define GNTINPUT_NBUTTONS 12

struct gntinput {
	bool keyboard_role;
	struct gntinput_xen xen;
	struct gntinput_consumer ring;
	bool connected;
	bool follow_layout;
	int backend;
	char *ring_file, *notify_fifo; /* Backend "file" (host tests) */
	bool broken_logged;
	uint64_t layouts_applied;
};

/* The keyboard device (Role "keyboard") while it is on; the layout dom0
 * sent before it was. Main thread only. */
static DeviceIntPtr gntinput_keyboard;
static struct gntinput_layout gntinput_pending_layout;
static bool gntinput_have_pending_layout;

/* Option "Role": "pointer" (default: the ring and the pointer) or "keyboard". */
static int parse_role_option(InputInfoPtr pInfo, bool *keyboard)
{
	char *r = xf86SetStrOption(pInfo->options, "Role", "pointer");
	int ret = 0;

	if (!strcmp(r, "keyboard"))
		*keyboard = true;
	else if (!strcmp(r, "pointer"))
		*keyboard = false;
	else
		ret = -1;
	if (ret)
		xf86IDrvMsg(pInfo, X_ERROR, "Role \"%s\": want \"pointer\" or \"keyboard\"\n", r);
	free(r);
	return ret;
}

/* Option "BackendDomain": the domain that writes the ring (default 0). */
static int parse_backend_option(InputInfoPtr pInfo)
{
	int d = xf86SetIntOption(pInfo->options, "BackendDomain", 0);

	if (d < 0 || d > 0x7fef) {
		xf86IDrvMsg(pInfo, X_ERROR, "BackendDomain %d out of range, using 0\n", d);
		d = 0;
	}
	return d;
}

/* Option "Backend": "xen" (default) or "file" (host tests only, with
 * Options "RingFile" and "NotifyFifo"). */
static int parse_backend_kind_option(InputInfoPtr pInfo, struct gntinput *p)
{
	char *b = xf86SetStrOption(pInfo->options, "Backend", "xen");
	int ret = 0;

	if (!strcmp(b, "file")) {
		p->ring_file = xf86SetStrOption(pInfo->options, "RingFile", NULL);
		p->notify_fifo = xf86SetStrOption(pInfo->options, "NotifyFifo", NULL);
		if (!p->ring_file || !p->notify_fifo) {
			xf86IDrvMsg(pInfo, X_ERROR, "Backend \"file\" needs RingFile and NotifyFifo\n");
			ret = -1;
		}
	} else if (strcmp(b, "xen")) {
		xf86IDrvMsg(pInfo, X_ERROR, "Backend \"%s\": want \"xen\" or \"file\"\n", b);
		ret = -1;
	}
	free(b);
	return ret;
}

/* Option "FollowLayout": apply dom0's XKB layout when it sends one (default on). */
static bool parse_follow_layout_option(InputInfoPtr pInfo)
{
	return xf86SetBoolOption(pInfo->options, "FollowLayout", TRUE);
}

/* Options "XkbRules" .. "XkbOptions": the layout until dom0 sends its own
 * (default: the server's defaults). */
static void parse_xkb_options(InputInfoPtr pInfo, XkbRMLVOSet *rmlvo)
{
	XkbRMLVOSet d = { 0 };

	XkbGetRulesDflts(&d);
	rmlvo->rules = xf86SetStrOption(pInfo->options, "XkbRules", d.rules);
	rmlvo->model = xf86SetStrOption(pInfo->options, "XkbModel", d.model);
	rmlvo->layout = xf86SetStrOption(pInfo->options, "XkbLayout", d.layout);
	rmlvo->variant = xf86SetStrOption(pInfo->options, "XkbVariant", d.variant);
	rmlvo->options = xf86SetStrOption(pInfo->options, "XkbOptions", d.options);
	XkbFreeRMLVOSet(&d, FALSE);
}

static void gntinput_ptr_ctrl(DeviceIntPtr dev, PtrCtrl *ctrl)
{
}

static void gntinput_kbd_ctrl(DeviceIntPtr dev, KeybdCtrl *ctrl)
{
}

static void gntinput_no_repeat(DeviceIntPtr dev)
{
	DeviceIntPtr master = GetMaster(dev, MASTER_KEYBOARD);

	XkbSetRepeatKeys(dev, -1, FALSE);
	if (master)
		XkbSetRepeatKeys(master, -1, FALSE);
}

static int gntinput_init_keyboard(DeviceIntPtr dev)
{
	InputInfoPtr pInfo = dev->public.devicePrivate;
	XkbRMLVOSet rmlvo = { 0 };
	Bool ok;

	parse_xkb_options(pInfo, &rmlvo);
	ok = InitKeyboardDeviceStruct(dev, &rmlvo, NULL, gntinput_kbd_ctrl);
	XkbFreeRMLVOSet(&rmlvo, FALSE);
	return ok ? Success : BadAlloc;
}

static int gntinput_init_pointer(DeviceIntPtr dev)
{
	unsigned char map[GNTINPUT_NBUTTONS + 1];
	Atom btn[GNTINPUT_NBUTTONS] = { 0 }, axes[2];
	int i;

	for (i = 0; i <= GNTINPUT_NBUTTONS; i++)
		map[i] = i;
	btn[0] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_LEFT);
	btn[1] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_MIDDLE);
	btn[2] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_RIGHT);
	btn[3] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_WHEEL_UP);
	btn[4] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_WHEEL_DOWN);
	btn[5] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_HWHEEL_LEFT);
	btn[6] = XIGetKnownProperty(BTN_LABEL_PROP_BTN_HWHEEL_RIGHT);
	axes[0] = XIGetKnownProperty(AXIS_LABEL_PROP_ABS_X);
	axes[1] = XIGetKnownProperty(AXIS_LABEL_PROP_ABS_Y);
	if (!InitPointerDeviceStruct((DevicePtr)dev, map, GNTINPUT_NBUTTONS, btn,
				     gntinput_ptr_ctrl, GetMotionHistorySize(), 2, axes))
		return BadAlloc;
	/* Absolute axes in screen pixels: no scaling. */
	xf86InitValuatorAxisStruct(dev, 0, axes[0], 0, screenInfo.width - 1, 1, 0, 1, Absolute);
	xf86InitValuatorDefaults(dev, 0);
	xf86InitValuatorAxisStruct(dev, 1, axes[1], 0, screenInfo.height - 1, 1, 0, 1, Absolute);
	xf86InitValuatorDefaults(dev, 1);
	return Success;
}

static void gntinput_apply_layout(InputInfoPtr pInfo, const struct gntinput_layout *l)
{
	struct gntinput *p = pInfo->private;
	DeviceIntPtr dev = gntinput_keyboard, master;
	XkbRMLVOSet rmlvo = {
		.rules = (char *)l->rules,
		.model = (char *)l->model,
		.layout = (char *)l->layout,
		.variant = (char *)l->variant,
		.options = (char *)l->options,
	};
	XkbDescPtr xkb;

	if (!p->follow_layout)
		return;
	if (!dev) {
		/* No keyboard device on yet: applied when it comes. */
		gntinput_pending_layout = *l;
		gntinput_have_pending_layout = true;
		return;
	}
	xkb = XkbCompileKeymap(dev, &rmlvo);
	if (!xkb) {
		xf86IDrvMsg(pInfo, X_ERROR, "cannot compile XKB layout %s/%s/%s/%s/%s\n",
			    l->rules, l->model, l->layout, l->variant, l->options);
		return;
	}
	XkbDeviceApplyKeymap(dev, xkb);
	XkbFreeKeyboard(xkb, XkbAllComponentsMask, TRUE);
	/* A compiled keymap has no key actions yet (InitKeyboardDeviceStruct
	 * derives them from the compat map the same way): without them
	 * Shift changes no modifier. */
	{
		XkbDescPtr desc = dev->key->xkbInfo->desc;
		XkbChangesRec changes = { 0 };
		XkbEventCauseRec cause = { 0 };
		unsigned int check = 0;

		XkbUpdateActions(dev, desc->min_key_code, XkbNumKeys(desc), &changes, &check,
				 &cause);
	}
	master = GetMaster(dev, MASTER_KEYBOARD);
	if (master)
		XkbCopyDeviceKeymap(master, dev);
	gntinput_no_repeat(dev);
	p->layouts_applied++;
	xf86IDrvMsg(pInfo, X_INFO, "XKB layout %s/%s/%s/%s/%s applied\n", l->rules, l->model,
		    l->layout, l->variant, l->options);
}

static void gntinput_post(InputInfoPtr pInfo, const struct gntinput_event *e)
{
	DeviceIntPtr dev = pInfo->dev;
	bool press = e->flags & GNTINPUT_F_PRESS;
	int i, b;

	switch (e->type) {
	case GNTINPUT_EV_KEY:
		/* Without the keyboard device the key is lost; the consumer's
		 * bookkeeping still balances it. */
		if (gntinput_keyboard)
			xf86PostKeyboardEvent(gntinput_keyboard, e->detail, press);
		break;
	case GNTINPUT_EV_BUTTON:
		xf86PostMotionEvent(dev, TRUE, 0, 2, e->x, e->y);
		xf86PostButtonEvent(dev, TRUE, e->detail, press, 0, 2, e->x, e->y);
		break;
	case GNTINPUT_EV_MOTION:
	case GNTINPUT_EV_CROSSING:
		/* Leaving: the pointer stays where it left the window. */
		if (e->type == GNTINPUT_EV_MOTION || (e->flags & GNTINPUT_F_ENTER))
			xf86PostMotionEvent(dev, TRUE, 0, 2, e->x, e->y);
		break;
	case GNTINPUT_EV_SCROLL:
		/* Wheel steps as the core buttons 4/5 (vertical), 6/7. */
		b = e->y < 0 ? 4 : 5;
		for (i = 0; i < abs(e->y); i++) {
			xf86PostButtonEvent(dev, FALSE, b, TRUE, 0, 0);
			xf86PostButtonEvent(dev, FALSE, b, FALSE, 0, 0);
		}
		b = e->x < 0 ? 6 : 7;
		for (i = 0; i < abs(e->x); i++) {
			xf86PostButtonEvent(dev, FALSE, b, TRUE, 0, 0);
			xf86PostButtonEvent(dev, FALSE, b, FALSE, 0, 0);
		}
		break;
	default:
		break;
	}
}

/* Releases whatever is still down, through the consumer's bookkeeping. */
static void gntinput_release_all(InputInfoPtr pInfo)
{
	struct gntinput *p = pInfo->private;
	struct gntinput_event rel[GNTINPUT_MAX_KEYCODE + GNTINPUT_MAX_BUTTON];
	unsigned int i, n = gntinput_consumer_release_all(&p->ring, rel, ARRAY_SIZE(rel));

	for (i = 0; i < n; i++)
		gntinput_post(pInfo, &rel[i]);
}

/* Main thread: the event channel fired. */
static void gntinput_notify(int fd, int ready, void *data)
{
	InputInfoPtr pInfo = data;
	struct gntinput *p = pInfo->private;
	struct gntinput_event e;
	struct gntinput_layout l;
	int r;

	gntinput_xen_ack(&p->xen);
	input_lock();
	while ((r = gntinput_consumer_next(&p->ring, &e)) == GNTINPUT_NEXT_EVENT) {
		if (e.type == GNTINPUT_EV_FOCUS && !(e.flags & GNTINPUT_F_FOCUS)) {
			gntinput_release_all(pInfo);
		} else if (e.type == GNTINPUT_EV_LAYOUT) {
			if (gntinput_consumer_layout(&p->ring, e.detail, &l) == 0) {
				input_unlock();
				gntinput_apply_layout(pInfo, &l);
				input_lock();
			}
		} else {
			gntinput_post(pInfo, &e);
		}
	}
	if (r == GNTINPUT_NEXT_BROKEN && !p->broken_logged) {
		p->broken_logged = true;
		gntinput_release_all(pInfo);
		xf86IDrvMsg(pInfo, X_ERROR, "the backend broke the ring: input stopped\n");
	}
	input_unlock();
	if (gntinput_consumer_finish(&p->ring))
		gntinput_xen_notify(&p->xen);
}

static int gntinput_on(DeviceIntPtr dev)
{
	InputInfoPtr pInfo = dev->public.devicePrivate;
	struct gntinput *p = pInfo->private;
	char err[256];

	if (p->keyboard_role) {
		gntinput_keyboard = dev;
		gntinput_no_repeat(dev);
		if (gntinput_have_pending_layout) {
			gntinput_have_pending_layout = false;
			gntinput_apply_layout(pInfo, &gntinput_pending_layout);
		}
		xf86IDrvMsg(pInfo, X_INFO, "keyboard of the gntinput ring\n");
		return Success;
	}
	if (p->connected)
		return Success;
	if ((p->ring_file ? gntinput_file_open(&p->xen, p->ring_file, p->notify_fifo, err,
						  sizeof(err))
			  : gntinput_xen_open(&p->xen, (uint16_t)p->backend, err, sizeof(err))) < 0) {
		xf86IDrvMsg(pInfo, X_ERROR, "%s\n", err);
		return BadAccess;
	}
	gntinput_consumer_init(&p->ring, p->xen.page, screenInfo.width, screenInfo.height);
	p->broken_logged = false;
	if (!SetNotifyFd(gntinput_xen_fd(&p->xen), gntinput_notify, X_NOTIFY_READ, pInfo)) {
		gntinput_xen_close(&p->xen);
		return BadAlloc;
	}
	p->connected = true;
	xf86IDrvMsg(pInfo, X_INFO,
		    "ring page granted to domain %d: ref %u, event channel %u, screen %dx%d\n",
		    p->backend, p->xen.ref, p->xen.port, screenInfo.width, screenInfo.height);
	return Success;
}

static void gntinput_off(DeviceIntPtr dev)
{
	InputInfoPtr pInfo = dev->public.devicePrivate;
	struct gntinput *p = pInfo->private;

	if (p->keyboard_role) {
		if (gntinput_keyboard == dev)
			gntinput_keyboard = NULL;
		return;
	}
	if (!p->connected)
		return;
	input_lock();
	gntinput_release_all(pInfo);
	input_unlock();
	RemoveNotifyFd(gntinput_xen_fd(&p->xen));
	gntinput_xen_close(&p->xen);
	p->connected = false;
}

static int gntinput_control(DeviceIntPtr dev, int what)
{
	int r;

	switch (what) {
	case DEVICE_INIT:
		if (((struct gntinput *)((InputInfoPtr)dev->public.devicePrivate)->private)
			    ->keyboard_role)
			return gntinput_init_keyboard(dev);
		return gntinput_init_pointer(dev);
	case DEVICE_ON:
		r = gntinput_on(dev);
		if (r == Success)
			dev->public.on = TRUE;
		return r;
	case DEVICE_OFF:
	case DEVICE_CLOSE:
		gntinput_off(dev);
		dev->public.on = FALSE;
		return Success;
	default:
		return BadValue;
	}
}

static void gntinput_read_input(InputInfoPtr pInfo)
{
	/* Unused: the event channel is watched on the main thread. */
}

static int gntinput_preinit(InputDriverPtr drv, InputInfoPtr pInfo, int flags)
{
	struct gntinput *p = calloc(1, sizeof(*p));

	if (!p)
		return BadAlloc;
	pInfo->private = p;
	if (parse_role_option(pInfo, &p->keyboard_role) < 0) {
		free(p);
		pInfo->private = NULL;
		return BadValue;
	}
	pInfo->type_name = (char *)(p->keyboard_role ? XI_KEYBOARD : XI_MOUSE);
	pInfo->device_control = gntinput_control;
	pInfo->read_input = gntinput_read_input;
	pInfo->fd = -1;
	p->backend = parse_backend_option(pInfo);
	if (!p->keyboard_role && parse_backend_kind_option(pInfo, p) < 0) {
		free(p->ring_file);
		free(p->notify_fifo);
		free(p);
		pInfo->private = NULL;
		return BadValue;
	}
	p->follow_layout = parse_follow_layout_option(pInfo);
	return Success;
}

static void gntinput_uninit(InputDriverPtr drv, InputInfoPtr pInfo, int flags)
{
	struct gntinput *p = pInfo->private;

	if (p) {
		free(p->ring_file);
		free(p->notify_fifo);
	}
	free(p);
	pInfo->private = NULL;
	xf86DeleteInput(pInfo, flags);
}

static InputDriverRec GNTINPUT = {
	.driverVersion = 1,
	.driverName = "gntinput",
	.PreInit = gntinput_preinit,
	.UnInit = gntinput_uninit,
	.module = NULL,
	.default_options = NULL,
	.capabilities = 0,
};

static void *gntinput_plug(void *module, void *opts, int *errmaj, int *errmin)
{
	xf86AddInputDriver(&GNTINPUT, module, 0);
	return module;
}

static void gntinput_unplug(void *p)
{
}

static XF86ModuleVersionInfo gntinput_version = {
	.modname = "gntinput",
	.vendor = MODULEVENDORSTRING,
	._modinfo1_ = MODINFOSTRING1,
	._modinfo2_ = MODINFOSTRING2,
	.xf86version = XORG_VERSION_CURRENT,
	.majorversion = 0,
	.minorversion = 1,
	.patchlevel = 0,
	.abiclass = ABI_CLASS_XINPUT,
	.abiversion = ABI_XINPUT_VERSION,
	.moduleclass = MOD_CLASS_XINPUT,
	.checksum = { 0, 0, 0, 0 },
};

_X_EXPORT XF86ModuleData gntinputModuleData = {
	.vers = &gntinput_version,
	.setup = gntinput_plug,
	.teardown = gntinput_unplug,
};
