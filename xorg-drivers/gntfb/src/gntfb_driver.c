/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gntfb_drv.so: Xorg video driver for a Bulkhead AppVM (gntfb(4)).
 *
 * No hardware, in the spirit of xf86-video-dummy, but the screen and every
 * large pixmap live in gntfb buffers: pages the gntfb DRM device (kernel/
 * gntfb, guest role) has granted to dom0. A Composite-redirected top-level
 * window's backing pixmap is therefore already shared with dom0, and the
 * driver names it on the window in _BULKHEAD_GNTFB_BUFFER for
 * bulkhead-agent (Documentation/xorg-gntfb.rst).
 *
 * This file is the thin X glue: the driver records, options, fb screen
 * setup, xf86Crtc (RandR 1.2) over dom0's mode list, and four screen
 * wrappers. Option values, buffers, modes and the property's encoding are
 * in lib/ (gntfb_core.h), which includes no X header and is unit-tested.
 */
#include <xorg-server.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xatom.h>
#include <fb.h>
#include <micmap.h>
#include <mipointer.h>
#include <picturestr.h>
#include <pixmapstr.h>
#include <privates.h>
#include <property.h>
#include <randrstr.h>
#include <scrnintstr.h>
#include <windowstr.h>
#include <xf86.h>
#include <xf86Crtc.h>
#include <xf86Modes.h>
#include <xf86_OSproc.h>

#include "gntfb_core.h"

#define GNTFB_NAME "gntfb"
#define GNTFB_VERSION_MAJOR 1
#define GNTFB_VERSION_MINOR 0
#define GNTFB_VERSION_PATCH 0
#define GNTFB_DRIVER_VERSION (GNTFB_VERSION_MAJOR * 10000 + GNTFB_VERSION_MINOR * 100)
#define GNTFB_ERRLEN 256

enum gntfb_option {
	OPTION_DEVICE,
	OPTION_PIXMAP_MIN_PIXELS,
	OPTION_BACKEND,
	OPTION_FAKE_MODES_FILE,
};

/* Every option is a string; lib/options.cc parses and range-checks it. */
static const OptionInfoRec gntfb_options[] = {
	{ OPTION_DEVICE, "Device", OPTV_STRING, { 0 }, FALSE },
	{ OPTION_PIXMAP_MIN_PIXELS, "PixmapMinPixels", OPTV_STRING, { 0 }, FALSE },
	{ OPTION_BACKEND, "Backend", OPTV_STRING, { 0 }, FALSE },
	{ OPTION_FAKE_MODES_FILE, "FakeModesFile", OPTV_STRING, { 0 }, FALSE },
	{ -1, NULL, OPTV_NONE, { 0 }, FALSE },
};

struct gntfb_screen {
	OptionInfoPtr options;
	enum gntfb_backend backend;
	char *device;
	char *fake_modes_file;
	uint32_t pixmap_min_pixels;

	struct gntfb_core *core;
	struct gntfb_mode modes[GNTFB_MAX_SCREEN_MODES];
	int n_modes;
	int hotplug_fd;

	struct gntfb_buffer screen_buf;
	Bool have_screen_buf;
	Bool fallback_logged;
	unsigned long fallbacks;
	Atom prop_atom;

	CloseScreenProcPtr CloseScreen;
	CreatePixmapProcPtr CreatePixmap;
	DestroyPixmapProcPtr DestroyPixmap;
	SetWindowPixmapProcPtr SetWindowPixmap;
};

static inline struct gntfb_screen *to_gntfb_screen(ScrnInfoPtr scrn)
{
	return scrn->driverPrivate;
}

/* A pixmap whose pixels are a gntfb buffer carries it here (else NULL). */
static DevPrivateKeyRec gntfb_pixmap_key_rec;
#define gntfb_pixmap_key (&gntfb_pixmap_key_rec)

static struct gntfb_buffer *gntfb_pixmap_buffer(PixmapPtr pix)
{
	return dixGetPrivate(&pix->devPrivates, gntfb_pixmap_key);
}

/* ---- options: one parser per Option, defaults in gntfb(4) ------------- */

static Bool parse_device_option(ScrnInfoPtr scrn, struct gntfb_screen *gs)
{
	const char *v = xf86GetOptValString(gs->options, OPTION_DEVICE);
	char err[GNTFB_ERRLEN];

	if (gntfb_parse_device(v, &gs->device, err, sizeof(err))) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "%s\n", err);
		return FALSE;
	}
	xf86DrvMsg(scrn->scrnIndex, v ? X_CONFIG : X_DEFAULT, "Device: %s\n",
		   gs->device[0] ? gs->device : "the first /dev/dri/card* driven by gntfb");
	return TRUE;
}

static Bool parse_pixmap_min_pixels_option(ScrnInfoPtr scrn, struct gntfb_screen *gs)
{
	const char *v = xf86GetOptValString(gs->options, OPTION_PIXMAP_MIN_PIXELS);
	char err[GNTFB_ERRLEN];

	if (gntfb_parse_pixmap_min_pixels(v, &gs->pixmap_min_pixels, err, sizeof(err))) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "%s\n", err);
		return FALSE;
	}
	xf86DrvMsg(scrn->scrnIndex, v ? X_CONFIG : X_DEFAULT, "PixmapMinPixels: %u\n",
		   gs->pixmap_min_pixels);
	return TRUE;
}

static Bool parse_backend_option(ScrnInfoPtr scrn, struct gntfb_screen *gs)
{
	const char *v = xf86GetOptValString(gs->options, OPTION_BACKEND);
	char err[GNTFB_ERRLEN];

	if (gntfb_parse_backend(v, &gs->backend, err, sizeof(err))) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "%s\n", err);
		return FALSE;
	}
	if (gs->backend == GNTFB_BACKEND_MEMFD)
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "Backend: memfd: host tests only, nothing is shared with dom0\n");
	else
		xf86DrvMsg(scrn->scrnIndex, v ? X_CONFIG : X_DEFAULT, "Backend: gntfb\n");
	return TRUE;
}

static Bool parse_fake_modes_file_option(ScrnInfoPtr scrn, struct gntfb_screen *gs)
{
	const char *v = xf86GetOptValString(gs->options, OPTION_FAKE_MODES_FILE);
	char err[GNTFB_ERRLEN];

	if (gntfb_parse_fake_modes_file(v, &gs->fake_modes_file, err, sizeof(err))) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "%s\n", err);
		return FALSE;
	}
	if (v && gs->backend != GNTFB_BACKEND_MEMFD)
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "FakeModesFile is ignored without Backend \"memfd\"\n");
	return TRUE;
}

/* ---- dom0's modes ------------------------------------------------------ */

/* Re-read the device's mode list; on error keep the previous one. */
static Bool gntfb_read_modes(ScrnInfoPtr scrn, struct gntfb_screen *gs)
{
	struct gntfb_mode modes[GNTFB_MAX_SCREEN_MODES];
	char err[GNTFB_ERRLEN];
	int n = gntfb_core_modes(gs->core, modes, GNTFB_MAX_SCREEN_MODES, err, sizeof(err));

	if (n < 0) {
		xf86DrvMsg(scrn->scrnIndex, X_WARNING, "mode list: %s\n", err);
		return FALSE;
	}
	memcpy(gs->modes, modes, sizeof(modes[0]) * n);
	gs->n_modes = n;
	return TRUE;
}

static DisplayModePtr gntfb_make_mode(uint32_t w, uint32_t h, Bool preferred)
{
	DisplayModePtr m = xf86CVTMode(w, h, 60.0, FALSE, FALSE);

	if (!m)
		return NULL;
	m->type = M_T_DRIVER | (preferred ? M_T_PREFERRED : 0);
	xf86SetModeDefaultName(m);
	return m;
}

/* ---- xf86Crtc: one CRTC, one "Virtual-1" output ------------------------ */

static void gntfb_crtc_dpms(xf86CrtcPtr crtc, int mode)
{
}

static Bool gntfb_crtc_set_mode_major(xf86CrtcPtr crtc, DisplayModePtr mode, Rotation rotation,
				      int x, int y)
{
	/* Nothing is scanned out: dom0 shows windows, not this CRTC. */
	crtc->mode = *mode;
	crtc->x = x;
	crtc->y = y;
	crtc->rotation = rotation;
	return TRUE;
}

static void gntfb_crtc_gamma_set(xf86CrtcPtr crtc, CARD16 *red, CARD16 *green, CARD16 *blue,
				 int size)
{
}

static void gntfb_crtc_destroy(xf86CrtcPtr crtc)
{
}

static const xf86CrtcFuncsRec gntfb_crtc_funcs = {
	.dpms = gntfb_crtc_dpms,
	.gamma_set = gntfb_crtc_gamma_set,
	.set_mode_major = gntfb_crtc_set_mode_major,
	.destroy = gntfb_crtc_destroy,
};

static void gntfb_output_dpms(xf86OutputPtr output, int mode)
{
}

static int gntfb_output_mode_valid(xf86OutputPtr output, DisplayModePtr mode)
{
	return MODE_OK;
}

static xf86OutputStatus gntfb_output_detect(xf86OutputPtr output)
{
	return XF86OutputStatusConnected;
}

/* dom0's modes (first preferred); without any, the Virtual size or 1024x768. */
static DisplayModePtr gntfb_output_get_modes(xf86OutputPtr output)
{
	ScrnInfoPtr scrn = output->scrn;
	struct gntfb_screen *gs = to_gntfb_screen(scrn);
	DisplayModePtr list = NULL;
	struct gntfb_mode fb;
	int i;

	if (gs->n_modes == 0) {
		fb = gntfb_choose_screen_size(NULL, 0, scrn->display->virtualX,
					      scrn->display->virtualY);
		return gntfb_make_mode(fb.width, fb.height, TRUE);
	}
	for (i = 0; i < gs->n_modes; i++) {
		DisplayModePtr m = gntfb_make_mode(gs->modes[i].width, gs->modes[i].height, i == 0);

		if (m)
			list = xf86ModesAdd(list, m);
	}
	return list;
}

static void gntfb_output_destroy(xf86OutputPtr output)
{
}

static const xf86OutputFuncsRec gntfb_output_funcs = {
	.dpms = gntfb_output_dpms,
	.mode_valid = gntfb_output_mode_valid,
	.detect = gntfb_output_detect,
	.get_modes = gntfb_output_get_modes,
	.destroy = gntfb_output_destroy,
};

/*
 * RandR screen resize: a new gntfb buffer for the screen pixmap, then the
 * old one goes back to the pool (the modesetting driver's order).
 */
static Bool gntfb_crtc_config_resize(ScrnInfoPtr scrn, int width, int height)
{
	struct gntfb_screen *gs = to_gntfb_screen(scrn);
	ScreenPtr screen = xf86ScrnToScreen(scrn);
	struct gntfb_buffer nb;
	PixmapPtr root;
	char err[GNTFB_ERRLEN];

	if (!gs->have_screen_buf || !screen) {
		/* before ScreenInit: ScreenInit allocates at this size */
		scrn->virtualX = width;
		scrn->virtualY = height;
		return TRUE;
	}
	if (width == scrn->virtualX && height == scrn->virtualY)
		return TRUE;
	if (gntfb_core_alloc(gs->core, width, height, scrn->depth, &nb, err, sizeof(err))) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "screen resize to %dx%d: %s\n", width,
			   height, err);
		return FALSE;
	}
	root = screen->GetScreenPixmap(screen);
	if (!screen->ModifyPixmapHeader(root, width, height, -1, -1, nb.pitch, nb.data)) {
		gntfb_core_release(gs->core, nb.id);
		return FALSE;
	}
	gntfb_core_release(gs->core, gs->screen_buf.id);
	gs->screen_buf = nb;
	scrn->virtualX = width;
	scrn->virtualY = height;
	scrn->displayWidth = nb.pitch / (scrn->bitsPerPixel / 8);
	xf86DrvMsg(scrn->scrnIndex, X_INFO, "screen %dx%d, gntfb buffer dir ref %u\n", width,
		   height, nb.dir_ref);
	return TRUE;
}

static const xf86CrtcConfigFuncsRec gntfb_crtc_config_funcs = {
	.resize = gntfb_crtc_config_resize,
};

/* Resize the screen to the output's preferred mode and set the CRTC to it. */
static void gntfb_apply_preferred_mode(ScrnInfoPtr scrn)
{
	xf86CrtcConfigPtr config = XF86_CRTC_CONFIG_PTR(scrn);
	ScreenPtr screen = xf86ScrnToScreen(scrn);
	xf86OutputPtr output = config->output[0];
	xf86CrtcPtr crtc = config->crtc[0];
	RROutputPtr rro = output->randr_output;
	RRModePtr mode;
	CARD32 mmw, mmh;

	if (!rro || !crtc->randr_crtc || rro->numModes < 1)
		return;
	/* RRGetInfo put the preferred modes first */
	mode = rro->modes[0];
	if (mode->mode.width == screen->width && mode->mode.height == screen->height &&
	    crtc->randr_crtc->mode == mode)
		return;
	/* keep the DPI */
	mmw = (CARD32)((double)mode->mode.width * screen->mmWidth / screen->width + 0.5);
	mmh = (CARD32)((double)mode->mode.height * screen->mmHeight / screen->height + 0.5);
	if (!RRScreenSizeSet(screen, mode->mode.width, mode->mode.height, mmw, mmh)) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "cannot resize the screen to %ux%u\n",
			   mode->mode.width, mode->mode.height);
		return;
	}
	if (!RRCrtcSet(crtc->randr_crtc, mode, 0, 0, RR_Rotate_0, 1, &rro))
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "cannot set mode %ux%u\n",
			   mode->mode.width, mode->mode.height);
	RRTellChanged(screen);
}

/* The hotplug fd (uevent socket; inotify for the memfd backend). */
static void gntfb_hotplug_notify(int fd, int ready, void *data)
{
	ScrnInfoPtr scrn = data;
	struct gntfb_screen *gs = to_gntfb_screen(scrn);
	ScreenPtr screen = xf86ScrnToScreen(scrn);

	if (!gntfb_core_drain_hotplug(gs->core) || !gntfb_read_modes(scrn, gs))
		return;
	if (gs->n_modes > 0)
		xf86DrvMsg(scrn->scrnIndex, X_INFO, "hotplug: dom0 prefers %ux%u (%d modes)\n",
			   gs->modes[0].width, gs->modes[0].height, gs->n_modes);
	RRGetInfo(screen, TRUE); /* re-probe: get_modes sees the new list */
	gntfb_apply_preferred_mode(scrn);
}

/* ---- pixmaps and the window property ----------------------------------- */

static PixmapPtr gntfb_create_pixmap(ScreenPtr screen, int w, int h, int depth, unsigned usage);

static PixmapPtr gntfb_create_plain_pixmap(ScreenPtr screen, int w, int h, int depth,
					   unsigned usage)
{
	struct gntfb_screen *gs = to_gntfb_screen(xf86ScreenToScrn(screen));
	PixmapPtr pix;

	screen->CreatePixmap = gs->CreatePixmap;
	pix = screen->CreatePixmap(screen, w, h, depth, usage);
	gs->CreatePixmap = screen->CreatePixmap;
	screen->CreatePixmap = gntfb_create_pixmap;
	return pix;
}

static PixmapPtr gntfb_create_pixmap(ScreenPtr screen, int w, int h, int depth, unsigned usage)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);
	struct gntfb_screen *gs = to_gntfb_screen(scrn);
	struct gntfb_buffer *buf;
	PixmapPtr pix;
	char err[GNTFB_ERRLEN];
	enum gntfb_placement place;

	place = gntfb_choose_placement(w, h, depth, usage == CREATE_PIXMAP_USAGE_GLYPH_PICTURE,
				       gs->pixmap_min_pixels);
	if (place != GNTFB_PLACE_GNTFB)
		goto plain;
	buf = malloc(sizeof(*buf));
	if (!buf)
		goto plain;
	if (gntfb_core_alloc(gs->core, w, h, depth, buf, err, sizeof(err))) {
		/* pool cap (ENOSPC) or no memory: never fail the X request */
		if (!gs->fallback_logged)
			xf86DrvMsg(scrn->scrnIndex, X_WARNING,
				   "%s; this and later such pixmaps use ordinary memory "
				   "(logged once)\n", err);
		gs->fallback_logged = TRUE;
		gs->fallbacks++;
		free(buf);
		goto plain;
	}
	/* fb allocates only the header (0x0); its pixels are our buffer */
	pix = gntfb_create_plain_pixmap(screen, 0, 0, depth, usage);
	if (!pix || !screen->ModifyPixmapHeader(pix, w, h, depth, BitsPerPixel(depth),
						buf->pitch, buf->data)) {
		if (pix)
			gs->DestroyPixmap(pix);
		gntfb_core_release(gs->core, buf->id);
		free(buf);
		goto plain;
	}
	pix->usage_hint = usage;
	dixSetPrivate(&pix->devPrivates, gntfb_pixmap_key, buf);
	return pix;
plain:
	return gntfb_create_plain_pixmap(screen, w, h, depth, usage);
}

static Bool gntfb_destroy_pixmap(PixmapPtr pix)
{
	ScreenPtr screen = pix->drawable.pScreen;
	struct gntfb_screen *gs = to_gntfb_screen(xf86ScreenToScrn(screen));
	struct gntfb_buffer *buf = NULL;
	Bool ret;

	/* the last reference: the buffer goes back to gntfb's pool */
	if (pix->refcnt == 1)
		buf = gntfb_pixmap_buffer(pix);
	screen->DestroyPixmap = gs->DestroyPixmap;
	ret = screen->DestroyPixmap(pix);
	gs->DestroyPixmap = screen->DestroyPixmap;
	screen->DestroyPixmap = gntfb_destroy_pixmap;
	if (buf) {
		gntfb_core_release(gs->core, buf->id);
		free(buf);
	}
	return ret;
}

/*
 * Composite gives a redirected window its backing pixmap here (map,
 * resize). On a top-level whose new pixmap is a gntfb buffer, publish it;
 * if it is not (fallback, unredirect) while the window shows, remove the
 * property so that the agent never imports a stale buffer.
 */
static void gntfb_set_window_pixmap(WindowPtr win, PixmapPtr pix)
{
	ScreenPtr screen = win->drawable.pScreen;
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);
	struct gntfb_screen *gs = to_gntfb_screen(scrn);
	struct gntfb_buffer *buf;
	uint32_t v[GNTFB_PROPERTY_VALUES];

	screen->SetWindowPixmap = gs->SetWindowPixmap;
	screen->SetWindowPixmap(win, pix);
	gs->SetWindowPixmap = screen->SetWindowPixmap;
	screen->SetWindowPixmap = gntfb_set_window_pixmap;

	if (!win->parent || win->parent->parent) /* top-levels only */
		return;
	buf = gntfb_pixmap_buffer(pix);
	if (!buf) {
		if (win->realized)
			DeleteProperty(serverClient, win, gs->prop_atom);
		return;
	}
	gntfb_encode_property(buf, v);
	if (dixChangeWindowProperty(serverClient, win, gs->prop_atom, XA_CARDINAL, 32,
				    PropModeReplace, GNTFB_PROPERTY_VALUES, v, TRUE) != Success)
		xf86DrvMsg(scrn->scrnIndex, X_WARNING, "window 0x%x: cannot set %s\n",
			   (unsigned)win->drawable.id, GNTFB_PROPERTY_NAME);
}

/* ---- screen ------------------------------------------------------------ */

static Bool gntfb_save_screen(ScreenPtr screen, int mode)
{
	return TRUE;
}

static Bool gntfb_close_screen(ScreenPtr screen)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);
	struct gntfb_screen *gs = to_gntfb_screen(scrn);
	Bool ret;

	if (gs->hotplug_fd >= 0)
		RemoveNotifyFd(gs->hotplug_fd);
	gs->hotplug_fd = -1;
	screen->CreatePixmap = gs->CreatePixmap;
	screen->DestroyPixmap = gs->DestroyPixmap;
	screen->SetWindowPixmap = gs->SetWindowPixmap;
	screen->CloseScreen = gs->CloseScreen;
	ret = screen->CloseScreen(screen);
	/* fb freed the screen pixmap: its pixels can go */
	if (gs->have_screen_buf)
		gntfb_core_release(gs->core, gs->screen_buf.id);
	gs->have_screen_buf = FALSE;
	if (gs->fallbacks)
		xf86DrvMsg(scrn->scrnIndex, X_INFO, "%lu pixmaps fell back to ordinary memory\n",
			   gs->fallbacks);
	scrn->vtSema = FALSE;
	return ret;
}

static Bool gntfb_screen_init(ScreenPtr screen, int argc, char **argv)
{
	ScrnInfoPtr scrn = xf86ScreenToScrn(screen);
	struct gntfb_screen *gs = to_gntfb_screen(scrn);
	char err[GNTFB_ERRLEN];
	VisualPtr visual;

	if (gntfb_core_alloc(gs->core, scrn->virtualX, scrn->virtualY, scrn->depth,
			     &gs->screen_buf, err, sizeof(err))) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "screen buffer: %s\n", err);
		return FALSE;
	}
	gs->have_screen_buf = TRUE;
	scrn->displayWidth = gs->screen_buf.pitch / (scrn->bitsPerPixel / 8);
	xf86DrvMsg(scrn->scrnIndex, X_INFO, "screen %dx%d, gntfb buffer dir ref %u\n",
		   scrn->virtualX, scrn->virtualY, gs->screen_buf.dir_ref);

	if (!dixRegisterPrivateKey(gntfb_pixmap_key, PRIVATE_PIXMAP, 0))
		return FALSE;
	miClearVisualTypes();
	if (!miSetVisualTypes(scrn->depth, miGetDefaultVisualMask(scrn->depth), scrn->rgbBits,
			      scrn->defaultVisual) ||
	    !miSetPixmapDepths())
		return FALSE;
	if (!fbScreenInit(screen, gs->screen_buf.data, scrn->virtualX, scrn->virtualY,
			  scrn->xDpi, scrn->yDpi, scrn->displayWidth, scrn->bitsPerPixel))
		return FALSE;
	for (visual = screen->visuals + screen->numVisuals - 1; visual >= screen->visuals;
	     visual--) {
		if ((visual->class | DynamicClass) != DirectColor)
			continue;
		visual->offsetRed = scrn->offset.red;
		visual->offsetGreen = scrn->offset.green;
		visual->offsetBlue = scrn->offset.blue;
		visual->redMask = scrn->mask.red;
		visual->greenMask = scrn->mask.green;
		visual->blueMask = scrn->mask.blue;
	}
	if (!fbPictureInit(screen, NULL, 0))
		return FALSE;
	xf86SetBlackWhitePixels(screen);
	xf86SetBackingStore(screen);
	xf86SetSilkenMouse(screen);
	if (!miDCInitialize(screen, xf86GetPointerScreenFuncs()))
		return FALSE;
	scrn->vtSema = TRUE;
	screen->SaveScreen = gntfb_save_screen;

	gs->CloseScreen = screen->CloseScreen;
	screen->CloseScreen = gntfb_close_screen;
	gs->CreatePixmap = screen->CreatePixmap;
	screen->CreatePixmap = gntfb_create_pixmap;
	gs->DestroyPixmap = screen->DestroyPixmap;
	screen->DestroyPixmap = gntfb_destroy_pixmap;
	gs->SetWindowPixmap = screen->SetWindowPixmap;
	screen->SetWindowPixmap = gntfb_set_window_pixmap;

	if (!xf86CrtcScreenInit(screen) || !xf86SetDesiredModes(scrn))
		return FALSE;
	if (!miCreateDefColormap(screen))
		return FALSE;
	gs->prop_atom = MakeAtom(GNTFB_PROPERTY_NAME, strlen(GNTFB_PROPERTY_NAME), TRUE);
	if (gs->prop_atom == BAD_RESOURCE)
		return FALSE;
	gs->hotplug_fd = gntfb_core_hotplug_fd(gs->core);
	if (gs->hotplug_fd >= 0 &&
	    !SetNotifyFd(gs->hotplug_fd, gntfb_hotplug_notify, X_NOTIFY_READ, scrn))
		gs->hotplug_fd = -1;
	if (gs->hotplug_fd < 0)
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "no hotplug notification: the screen keeps its startup size\n");
	return TRUE;
}

/* ---- PreInit, the other ScrnInfo hooks, FreeScreen -------------------- */

static void gntfb_free_screen(ScrnInfoPtr scrn)
{
	struct gntfb_screen *gs = to_gntfb_screen(scrn);

	if (!gs)
		return;
	gntfb_core_close(gs->core); /* returns every buffer still held */
	free(gs->device);
	free(gs->fake_modes_file);
	free(gs->options);
	free(gs);
	scrn->driverPrivate = NULL;
}

static Bool gntfb_pre_init(ScrnInfoPtr scrn, int flags)
{
	struct gntfb_screen *gs;
	rgb zeros = { 0, 0, 0 };
	Gamma gzeros = { 0.0, 0.0, 0.0 };
	char err[GNTFB_ERRLEN];
	xf86CrtcPtr crtc;
	xf86OutputPtr output;

	if (flags & PROBE_DETECT)
		return FALSE;
	if (scrn->numEntities != 1)
		return FALSE;
	gs = calloc(1, sizeof(*gs));
	if (!gs)
		return FALSE;
	gs->hotplug_fd = -1;
	scrn->driverPrivate = gs; /* freed by gntfb_free_screen, on error too */
	scrn->monitor = scrn->confScreen->monitor;

	if (!xf86SetDepthBpp(scrn, 24, 0, 0, Support32bppFb))
		return FALSE;
	if (scrn->depth != 24 || scrn->bitsPerPixel != 32) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "depth %d/%d bpp: only 24/32 is supported\n",
			   scrn->depth, scrn->bitsPerPixel);
		return FALSE;
	}
	xf86PrintDepthBpp(scrn);
	if (!xf86SetWeight(scrn, zeros, zeros) || !xf86SetDefaultVisual(scrn, -1))
		return FALSE;
	if (scrn->defaultVisual != TrueColor) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "only TrueColor is supported\n");
		return FALSE;
	}
	if (!xf86SetGamma(scrn, gzeros))
		return FALSE;
	scrn->progClock = TRUE;
	scrn->rgbBits = 8;

	xf86CollectOptions(scrn, NULL);
	gs->options = malloc(sizeof(gntfb_options));
	if (!gs->options)
		return FALSE;
	memcpy(gs->options, gntfb_options, sizeof(gntfb_options));
	xf86ProcessOptions(scrn->scrnIndex, scrn->options, gs->options);
	if (!parse_backend_option(scrn, gs) || !parse_device_option(scrn, gs) ||
	    !parse_pixmap_min_pixels_option(scrn, gs) || !parse_fake_modes_file_option(scrn, gs))
		return FALSE;

	gs->core = gntfb_core_open(gs->backend, gs->device, gs->fake_modes_file, err,
				   sizeof(err));
	if (!gs->core) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "%s\n", err);
		return FALSE;
	}
	xf86DrvMsg(scrn->scrnIndex, X_INFO, "using %s\n", gntfb_core_describe(gs->core));
	gntfb_read_modes(scrn, gs);
	if (gs->n_modes > 0)
		xf86DrvMsg(scrn->scrnIndex, X_PROBED, "dom0 prefers %ux%u (%d modes)\n",
			   gs->modes[0].width, gs->modes[0].height, gs->n_modes);
	else
		xf86DrvMsg(scrn->scrnIndex, X_WARNING,
			   "no mode list from dom0: using the Virtual size or 1024x768\n");

	xf86CrtcConfigInit(scrn, &gntfb_crtc_config_funcs);
	xf86CrtcSetSizeRange(scrn, 64, 64, 16384, 6144);
	crtc = xf86CrtcCreate(scrn, &gntfb_crtc_funcs);
	if (!crtc)
		return FALSE;
	output = xf86OutputCreate(scrn, &gntfb_output_funcs, "Virtual-1");
	if (!output)
		return FALSE;
	output->possible_crtcs = 1;
	output->possible_clones = 0;
	if (!xf86InitialConfiguration(scrn, TRUE)) {
		xf86DrvMsg(scrn->scrnIndex, X_ERROR, "no usable mode\n");
		return FALSE;
	}
	scrn->currentMode = scrn->modes;
	scrn->displayWidth = scrn->virtualX;
	xf86SetDpi(scrn, 0, 0);
	if (!xf86LoadSubModule(scrn, "fb"))
		return FALSE;
	return TRUE;
}

static Bool gntfb_switch_mode(ScrnInfoPtr scrn, DisplayModePtr mode)
{
	return xf86SetSingleMode(scrn, mode, RR_Rotate_0);
}

static void gntfb_adjust_frame(ScrnInfoPtr scrn, int x, int y)
{
}

static Bool gntfb_enter_vt(ScrnInfoPtr scrn)
{
	return xf86SetDesiredModes(scrn);
}

static void gntfb_leave_vt(ScrnInfoPtr scrn)
{
}

static ModeStatus gntfb_valid_mode(ScrnInfoPtr scrn, DisplayModePtr mode, Bool verbose,
				   int flags)
{
	return MODE_OK;
}

/* ---- driver and module records ---------------------------------------- */

static void gntfb_identify(int flags)
{
	xf86Msg(X_INFO, "%s: video driver for Bulkhead AppVMs on gntfb buffers\n", GNTFB_NAME);
}

static const OptionInfoRec *gntfb_available_options(int chipid, int busid)
{
	return gntfb_options;
}

static Bool gntfb_driver_func(ScrnInfoPtr scrn, xorgDriverFuncOp op, void *ptr)
{
	if (op != GET_REQUIRED_HW_INTERFACES)
		return FALSE;
	/* no I/O ports; never open or grab a VT */
	*(xorgHWFlags *)ptr = HW_SKIP_CONSOLE;
	return TRUE;
}

static Bool gntfb_probe(DriverPtr drv, int flags)
{
	GDevPtr *sections;
	Bool found = FALSE;
	int n, i;

	if (flags & PROBE_DETECT)
		return FALSE;
	n = xf86MatchDevice(GNTFB_NAME, &sections);
	if (n <= 0)
		return FALSE;
	for (i = 0; i < n; i++) {
		int entity = xf86ClaimNoSlot(drv, 0, sections[i], TRUE);
		ScrnInfoPtr scrn = xf86AllocateScreen(drv, 0);

		if (!scrn)
			continue;
		xf86AddEntityToScreen(scrn, entity);
		scrn->driverVersion = GNTFB_DRIVER_VERSION;
		scrn->driverName = (char *)GNTFB_NAME;
		scrn->name = (char *)"GNTFB";
		scrn->Probe = gntfb_probe;
		scrn->PreInit = gntfb_pre_init;
		scrn->ScreenInit = gntfb_screen_init;
		scrn->SwitchMode = gntfb_switch_mode;
		scrn->AdjustFrame = gntfb_adjust_frame;
		scrn->EnterVT = gntfb_enter_vt;
		scrn->LeaveVT = gntfb_leave_vt;
		scrn->FreeScreen = gntfb_free_screen;
		scrn->ValidMode = gntfb_valid_mode;
		found = TRUE;
	}
	free(sections);
	return found;
}

static DriverRec gntfb_driver = {
	.driverVersion = GNTFB_DRIVER_VERSION,
	.driverName = GNTFB_NAME,
	.Identify = gntfb_identify,
	.Probe = gntfb_probe,
	.AvailableOptions = gntfb_available_options,
	.module = NULL,
	.refCount = 0,
	.driverFunc = gntfb_driver_func,
};

static void *gntfb_setup(void *module, void *opts, int *errmaj, int *errmin)
{
	static Bool done;

	if (done) {
		if (errmaj)
			*errmaj = LDR_ONCEONLY;
		return NULL;
	}
	done = TRUE;
	xf86AddDriver(&gntfb_driver, module, HaveDriverFuncs);
	return (void *)1;
}

static XF86ModuleVersionInfo gntfb_version_info = {
	.modname = GNTFB_NAME,
	.vendor = MODULEVENDORSTRING,
	._modinfo1_ = MODINFOSTRING1,
	._modinfo2_ = MODINFOSTRING2,
	.xf86version = XORG_VERSION_CURRENT,
	.majorversion = GNTFB_VERSION_MAJOR,
	.minorversion = GNTFB_VERSION_MINOR,
	.patchlevel = GNTFB_VERSION_PATCH,
	.abiclass = ABI_CLASS_VIDEODRV,
	.abiversion = ABI_VIDEODRV_VERSION,
	.moduleclass = MOD_CLASS_VIDEODRV,
	.checksum = { 0, 0, 0, 0 },
};

/* The loader looks up "<module>ModuleData"; the only exported symbol. */
_X_EXPORT XF86ModuleData gntfbModuleData = {
	.vers = &gntfb_version_info,
	.setup = gntfb_setup,
	.teardown = NULL,
};
