// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntfb guest role: KMS. One virtual connector whose modes come from the
 * GUI domain through XenStore; plane updates publish scanout changes and
 * damage on the ring. No pixel is ever copied here: the GUI domain reads
 * the granted pages in place.
 */

#include <linux/kernel.h>
#include <linux/slab.h>
#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_modes.h>
#include <drm/drm_probe_helper.h>

#include "gntfb.h"

#define GNTFB_DEFAULT_WIDTH 1024
#define GNTFB_DEFAULT_HEIGHT 768
#define GNTFB_MIN_WIDTH 64
#define GNTFB_MIN_HEIGHT 64

static const u32 gntfb_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
};

static const u64 gntfb_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

/* ---- modes from XenStore ----------------------------------------------- */

/*
 * Parse "WxH WxH ..." (space or comma separated) into @gdev->modes.
 * Sizes outside the limits are skipped; at most GNTFB_MAX_MODES are kept.
 * Return: true if the list changed.
 */
static bool gntfb_modes_parse(struct gntfb_device *gdev, const char *str)
{
	typeof(gdev->modes) modes = {};
	unsigned int n = 0, w, h;
	const char *p = str;
	bool changed;
	int len;

	while (*p && n < GNTFB_MAX_MODES) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		if (sscanf(p, "%ux%u%n", &w, &h, &len) == 2) {
			p += len;
			if (w >= GNTFB_MIN_WIDTH && w <= GNTFB_MAX_WIDTH &&
			    h >= GNTFB_MIN_HEIGHT && h <= GNTFB_MAX_HEIGHT) {
				modes[n].w = w;
				modes[n].h = h;
				n++;
			}
		}
		/* skip to the next separator, valid token or not */
		while (*p && *p != ' ' && *p != ',')
			p++;
	}
	mutex_lock(&gdev->modes_lock);
	changed = n != gdev->nmodes || memcmp(modes, gdev->modes, sizeof(modes));
	memcpy(gdev->modes, modes, sizeof(modes));
	gdev->nmodes = n;
	mutex_unlock(&gdev->modes_lock);
	return changed;
}

static void gntfb_modes_changed(struct xenbus_watch *watch, const char *path,
				const char *token)
{
	struct gntfb_device *gdev = container_of(watch, struct gntfb_device,
						 modes_watch);
	unsigned int len;
	char *str;
	int idx;

	str = xenbus_read(XBT_NIL, GNTFB_XS_DIR, GNTFB_XS_MODES, &len);
	if (IS_ERR(str))
		str = NULL;
	if (!gntfb_modes_parse(gdev, str ?: ""))
		goto out;
	/* before registration userspace probes on open anyway */
	if (gdev->drm.registered && drm_dev_enter(&gdev->drm, &idx)) {
		drm_kms_helper_hotplug_event(&gdev->drm);
		drm_dev_exit(idx);
	}
out:
	kfree(str);
}

static void gntfb_modes_watch_fini(struct drm_device *drm, void *data)
{
	struct gntfb_device *gdev = data;

	unregister_xenbus_watch(&gdev->modes_watch);
	kfree(gdev->modes_watch.node);
}

static int gntfb_modes_watch_init(struct gntfb_device *gdev)
{
	int ret;

	mutex_init(&gdev->modes_lock);
	gdev->modes_watch.node = kasprintf(GFP_KERNEL, "%s/%s", GNTFB_XS_DIR,
					   GNTFB_XS_MODES);
	if (!gdev->modes_watch.node)
		return -ENOMEM;
	gdev->modes_watch.callback = gntfb_modes_changed;
	ret = register_xenbus_watch(&gdev->modes_watch);
	if (ret) {
		kfree(gdev->modes_watch.node);
		return ret;
	}
	return drmm_add_action_or_reset(&gdev->drm, gntfb_modes_watch_fini,
					gdev);
}

/* ---- connector ----------------------------------------------------------- */

static int gntfb_conn_get_modes(struct drm_connector *conn)
{
	struct gntfb_device *gdev = to_gntfb_device(conn->dev);
	struct drm_display_mode *mode;
	unsigned int i, n, w, h;

	mutex_lock(&gdev->modes_lock);
	n = max(gdev->nmodes, 1u);
	for (i = 0; i < n; i++) {
		w = gdev->nmodes ? gdev->modes[i].w : GNTFB_DEFAULT_WIDTH;
		h = gdev->nmodes ? gdev->modes[i].h : GNTFB_DEFAULT_HEIGHT;
		/* a nominal 60 Hz timing: nothing here paces on it */
		mode = drm_cvt_mode(conn->dev, w, h, 60, false, false, false);
		if (!mode)
			break;
		mode->type |= DRM_MODE_TYPE_DRIVER;
		if (i == 0)
			mode->type |= DRM_MODE_TYPE_PREFERRED;
		drm_mode_probed_add(conn, mode);
	}
	mutex_unlock(&gdev->modes_lock);
	return i;
}

static const struct drm_connector_helper_funcs gntfb_conn_helper_funcs = {
	.get_modes = gntfb_conn_get_modes,
};

static const struct drm_connector_funcs gntfb_conn_funcs = {
	.reset = drm_atomic_helper_connector_reset,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/* ---- display pipe ------------------------------------------------------ */

static u32 gntfb_fb_dir_ref(struct drm_framebuffer *fb)
{
	return gntfb_buf_dir_ref(to_gntfb_bo(drm_gem_fb_get_obj(fb, 0))->buf);
}

static void gntfb_publish_scanout(struct gntfb_device *gdev,
				  struct drm_framebuffer *fb)
{
	struct gntfb_event ev = {
		.type = GNTFB_EV_SCANOUT,
		.dir_ref = gntfb_fb_dir_ref(fb),
		.frame = gdev->frame,
		.x2 = fb->width,
		.y2 = fb->height,
		.arg0 = fb->pitches[0],
		.arg1 = fb->format->format,
	};

	gntfb_ring_set_scanout(&gdev->ring, ev.dir_ref, fb->width, fb->height,
			       fb->pitches[0], fb->format->format);
	gntfb_ring_push(&gdev->ring, &ev);
}

static void gntfb_publish_damage(struct gntfb_device *gdev,
				 struct drm_framebuffer *fb,
				 const struct drm_rect *r)
{
	struct gntfb_event ev = {
		.type = GNTFB_EV_DAMAGE,
		.dir_ref = gntfb_fb_dir_ref(fb),
		.frame = gdev->frame,
		.x1 = r->x1,
		.y1 = r->y1,
		.x2 = r->x2,
		.y2 = r->y2,
	};

	gntfb_ring_push(&gdev->ring, &ev);
}

static enum drm_mode_status
gntfb_pipe_mode_valid(struct drm_simple_display_pipe *pipe,
		      const struct drm_display_mode *mode)
{
	if (mode->hdisplay > GNTFB_MAX_WIDTH || mode->vdisplay > GNTFB_MAX_HEIGHT)
		return MODE_BAD;
	return MODE_OK;
}

static int gntfb_pipe_check(struct drm_simple_display_pipe *pipe,
			    struct drm_plane_state *plane_state,
			    struct drm_crtc_state *crtc_state)
{
	struct drm_framebuffer *fb = plane_state->fb;

	/* the GUI domain imports a buffer from its first byte */
	if (fb && fb->offsets[0])
		return -EINVAL;
	return 0;
}

static void gntfb_pipe_enable(struct drm_simple_display_pipe *pipe,
			      struct drm_crtc_state *crtc_state,
			      struct drm_plane_state *plane_state)
{
	struct gntfb_device *gdev = to_gntfb_device(pipe->crtc.dev);
	struct drm_framebuffer *fb = plane_state->fb;
	struct drm_rect full = DRM_RECT_INIT(0, 0, fb->width, fb->height);
	int idx;

	if (!drm_dev_enter(&gdev->drm, &idx))
		return;
	gdev->frame++;
	gntfb_publish_scanout(gdev, fb);
	gntfb_publish_damage(gdev, fb, &full);
	drm_dev_exit(idx);
}

static void gntfb_pipe_disable(struct drm_simple_display_pipe *pipe)
{
	struct gntfb_device *gdev = to_gntfb_device(pipe->crtc.dev);
	struct gntfb_event ev = { .type = GNTFB_EV_DISABLE };

	gdev->frame++;
	ev.frame = gdev->frame;
	gntfb_ring_set_scanout(&gdev->ring, 0, 0, 0, 0, 0);
	gntfb_ring_push(&gdev->ring, &ev);
}

/*
 * One commit = one frame: a flip publishes SCANOUT, and all damage of the
 * commit (DIRTYFB clips, FB_DAMAGE_CLIPS) is merged into one rectangle.
 */
static void gntfb_pipe_update(struct drm_simple_display_pipe *pipe,
			      struct drm_plane_state *old_state)
{
	struct gntfb_device *gdev = to_gntfb_device(pipe->crtc.dev);
	struct drm_plane_state *state = pipe->plane.state;
	struct drm_framebuffer *fb = state->fb;
	struct drm_rect rect;
	int idx;

	if (!fb || !pipe->crtc.state->active)
		return;
	if (!drm_dev_enter(&gdev->drm, &idx))
		return;
	gdev->frame++;
	if (fb != old_state->fb)
		gntfb_publish_scanout(gdev, fb);
	if (drm_atomic_helper_damage_merged(old_state, state, &rect))
		gntfb_publish_damage(gdev, fb, &rect);
	drm_dev_exit(idx);
}

static const struct drm_simple_display_pipe_funcs gntfb_pipe_funcs = {
	.mode_valid = gntfb_pipe_mode_valid,
	.check = gntfb_pipe_check,
	.enable = gntfb_pipe_enable,
	.disable = gntfb_pipe_disable,
	.update = gntfb_pipe_update,
};

static const struct drm_mode_config_funcs gntfb_mode_config_funcs = {
	.fb_create = drm_gem_fb_create_with_dirty,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

/**
 * gntfb_kms_init() - mode config, connector, pipe and the modes watch
 * @gdev: the device, with its ring and pool set up
 *
 * Return: 0 or a negative errno.
 */
int gntfb_kms_init(struct gntfb_device *gdev)
{
	struct drm_device *drm = &gdev->drm;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = GNTFB_MIN_WIDTH;
	drm->mode_config.min_height = GNTFB_MIN_HEIGHT;
	drm->mode_config.max_width = GNTFB_MAX_WIDTH;
	drm->mode_config.max_height = GNTFB_MAX_HEIGHT;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.prefer_shadow = 0;
	drm->mode_config.funcs = &gntfb_mode_config_funcs;

	ret = drm_connector_init(drm, &gdev->conn, &gntfb_conn_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&gdev->conn, &gntfb_conn_helper_funcs);

	ret = drm_simple_display_pipe_init(drm, &gdev->pipe, &gntfb_pipe_funcs,
					   gntfb_formats,
					   ARRAY_SIZE(gntfb_formats),
					   gntfb_modifiers, &gdev->conn);
	if (ret)
		return ret;
	drm_plane_enable_fb_damage_clips(&gdev->pipe.plane);
	drm_mode_config_reset(drm);

	/* fires once at registration: reads the initial mode list */
	return gntfb_modes_watch_init(gdev);
}
