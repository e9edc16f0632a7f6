/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gntfb_core: the X-free part of the gntfb Xorg driver, behind a C API for
 * the C shim (src/gntfb_driver.c). Options, the screen size choice, the
 * buffer table over the gntfb DRM device, the size class choice and the
 * window property encoding live here and are unit-tested with a fake
 * device. No call throws; failing calls return -1 (or NULL) and write a
 * one-line reason into err[errlen].
 */
#ifndef GNTFB_CORE_H
#define GNTFB_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gntfb_core;

enum gntfb_backend { GNTFB_BACKEND_GNTFB = 0, GNTFB_BACKEND_MEMFD = 1 };

enum gntfb_placement {
	GNTFB_PLACE_GNTFB = 0, /* a gntfb buffer */
	GNTFB_PLACE_SMALL,     /* under PixmapMinPixels */
	GNTFB_PLACE_DEPTH,     /* not depth 24/32 */
	GNTFB_PLACE_GLYPH,     /* glyph picture */
};

struct gntfb_mode {
	uint32_t width, height;
};

struct gntfb_buffer {
	uint32_t id; /* for gntfb_core_release() */
	uint32_t dir_ref, width, height, pitch, fourcc;
	uint64_t size;
	void *data; /* pitch * height bytes, mapped read-write */
};

#define GNTFB_DEFAULT_PIXMAP_MIN_PIXELS 4096u
#define GNTFB_MAX_SCREEN_MODES 16
#define GNTFB_PROPERTY_NAME "_BULKHEAD_GNTFB_BUFFER"
#define GNTFB_PROPERTY_VALUES 5

/* Option values: value NULL = option absent = the documented default. */
int gntfb_parse_pixmap_min_pixels(const char *value, uint32_t *out, char *err, size_t errlen);
int gntfb_parse_backend(const char *value, enum gntfb_backend *out, char *err, size_t errlen);
/* *out: malloc'd absolute path or "" (auto); the caller frees it. */
int gntfb_parse_device(const char *value, char **out, char *err, size_t errlen);
int gntfb_parse_fake_modes_file(const char *value, char **out, char *err, size_t errlen);

/* Open the device. device "" = the first /dev/dri/card* driven by gntfb;
 * fake_modes_file is used by the memfd backend only. */
struct gntfb_core *gntfb_core_open(enum gntfb_backend backend, const char *device,
				   const char *fake_modes_file, char *err, size_t errlen);
void gntfb_core_close(struct gntfb_core *core);
const char *gntfb_core_describe(const struct gntfb_core *core);

/* dom0's modes, preferred first: count (0..max), or -1. */
int gntfb_core_modes(struct gntfb_core *core, struct gntfb_mode *modes, int max, char *err,
		     size_t errlen);
/* Screen size: modes[0]; else virtual_w x virtual_h when valid; else 1024x768. */
struct gntfb_mode gntfb_choose_screen_size(const struct gntfb_mode *modes, int n,
					   uint32_t virtual_w, uint32_t virtual_h);
/* Hotplug: an fd to watch (-1: none); drain returns 1 if a hotplug came. */
int gntfb_core_hotplug_fd(const struct gntfb_core *core);
int gntfb_core_drain_hotplug(struct gntfb_core *core);

enum gntfb_placement gntfb_choose_placement(int width, int height, int depth, int glyph,
					    uint32_t min_pixels);
int gntfb_core_alloc(struct gntfb_core *core, uint32_t width, uint32_t height, uint32_t depth,
		     struct gntfb_buffer *out, char *err, size_t errlen);
void gntfb_core_release(struct gntfb_core *core, uint32_t id);
size_t gntfb_core_live(const struct gntfb_core *core);
uint64_t gntfb_core_live_bytes(const struct gntfb_core *core);

/* The five CARDINALs of _BULKHEAD_GNTFB_BUFFER for a buffer. */
void gntfb_encode_property(const struct gntfb_buffer *buf, uint32_t out[GNTFB_PROPERTY_VALUES]);

#ifdef __cplusplus
}
#endif

#endif /* GNTFB_CORE_H */
