// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntfb guest tier: the DRM/KMS side of the gntfb guest role, run in a Xen
 * PV guest (its buffers are granted to dom0). kselftest harness + libdrm.
 *   modes and their hotplug, dumb buffers, legacy modeset, page flip, DIRTYFB, atomic damage
 *   clips, the uAPI (CREATE/INFO/STATS), buffer pool reuse over 1000 resizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <xenstore.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#include "kselftest_harness.h"
#include "../../../../kernel/gntfb/uapi/gntfb.h"

struct kms {
	int fd;
	uint32_t conn_id, crtc_id, plane_id;
	drmModeModeInfo mode;
};

struct fb {
	uint32_t handle, pitch, fb_id;
	uint64_t size;
	uint32_t *map;
};

static int kms_open(struct kms *k)
{
	drmModeRes *res;
	drmModeConnector *c;
	drmModePlaneRes *pr;

	memset(k, 0, sizeof(*k));
	k->fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (k->fd < 0)
		return -1;
	drmSetClientCap(k->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	res = drmModeGetResources(k->fd);
	if (!res || res->count_connectors < 1 || res->count_crtcs < 1)
		return -1;
	k->conn_id = res->connectors[0];
	k->crtc_id = res->crtcs[0];
	c = drmModeGetConnector(k->fd, k->conn_id);
	if (!c || c->count_modes < 1)
		return -1;
	k->mode = c->modes[0];
	drmModeFreeConnector(c);
	drmModeFreeResources(res);
	pr = drmModeGetPlaneResources(k->fd);
	if (!pr || pr->count_planes < 1)
		return -1;
	k->plane_id = pr->planes[0];
	drmModeFreePlaneResources(pr);
	return 0;
}

static int fb_create(struct kms *k, struct fb *f, uint32_t w, uint32_t h)
{
	struct drm_mode_create_dumb cd = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_map_dumb md = {};
	uint32_t handles[4] = {}, pitches[4] = {}, offsets[4] = {};

	if (drmIoctl(k->fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd))
		return -1;
	f->handle = cd.handle;
	f->pitch = cd.pitch;
	f->size = cd.size;
	md.handle = cd.handle;
	if (drmIoctl(k->fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
		return -1;
	f->map = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, k->fd,
		      md.offset);
	if (f->map == MAP_FAILED)
		return -1;
	handles[0] = cd.handle;
	pitches[0] = cd.pitch;
	return drmModeAddFB2(k->fd, w, h, DRM_FORMAT_XRGB8888, handles,
			     pitches, offsets, &f->fb_id, 0);
}

static void fb_destroy(struct kms *k, struct fb *f)
{
	struct drm_mode_destroy_dumb dd = { .handle = f->handle };

	drmModeRmFB(k->fd, f->fb_id);
	munmap(f->map, f->size);
	drmIoctl(k->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &dd);
}

static int stats(int fd, struct drm_gntfb_stats *st)
{
	memset(st, 0, sizeof(*st));
	return drmIoctl(fd, DRM_IOCTL_GNTFB_STATS, st);
}

FIXTURE(gntfb) {
	struct kms k;
};

FIXTURE_SETUP(gntfb)
{
	ASSERT_EQ(0, kms_open(&self->k));
}

FIXTURE_TEARDOWN(gntfb)
{
	close(self->k.fd);
}

TEST_F(gntfb, driver_and_modes)
{
	drmVersion *v = drmGetVersion(self->k.fd);
	drmModeConnector *c;

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("gntfb", v->name);
	drmFreeVersion(v);
	c = drmModeGetConnector(self->k.fd, self->k.conn_id);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(DRM_MODE_CONNECTED, c->connection);
	EXPECT_EQ(DRM_MODE_CONNECTOR_VIRTUAL, c->connector_type);
	ASSERT_GE(c->count_modes, 1);
	EXPECT_TRUE(c->modes[0].type & DRM_MODE_TYPE_PREFERRED);
	TH_LOG("%d modes, preferred %ux%u", c->count_modes,
	       c->modes[0].hdisplay, c->modes[0].vdisplay);
	drmModeFreeConnector(c);
}

/* wait for a DRM hotplug uevent (HOTPLUG=1 on a drm card) */
static int wait_hotplug(int nl, int ms)
{
	struct pollfd pfd = { .fd = nl, .events = POLLIN };
	char buf[4096];
	ssize_t n, i;
	int hp, drm;

	while (poll(&pfd, 1, ms) == 1) {
		n = recv(nl, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			return -1;
		buf[n] = 0;
		hp = drm = 0;
		for (i = 0; i < n; i += strlen(buf + i) + 1) {
			hp |= !strcmp(buf + i, "HOTPLUG=1");
			drm |= !strcmp(buf + i, "SUBSYSTEM=drm");
		}
		if (hp && drm)
			return 0;
	}
	return -1;
}

static int set_modes(struct xs_handle *xs, const char *v)
{
	return xs_write(xs, XBT_NULL, GNTFB_XS_DIR "/" GNTFB_XS_MODES, v,
			strlen(v)) ? 0 : -1;
}

/* the GUI domain's mode list is XenStore data/gntfb/modes (the guest may
 * write it too): a change is a hotplug event and a new mode list */
TEST_F(gntfb, modes_hotplug)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct xs_handle *xs = xs_open(0);
	drmModeConnector *c;
	unsigned int len;
	char *orig;
	int nl;

	ASSERT_NE(NULL, xs);
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	ASSERT_LE(0, nl);
	ASSERT_EQ(0, bind(nl, (struct sockaddr *)&sa, sizeof(sa)));
	orig = xs_read(xs, XBT_NULL, GNTFB_XS_DIR "/" GNTFB_XS_MODES, &len);
	ASSERT_EQ(0, set_modes(xs, "800x600,640x480 junk 99999x5 1280x720"));
	EXPECT_EQ(0, wait_hotplug(nl, 5000));
	c = drmModeGetConnector(self->k.fd, self->k.conn_id);
	ASSERT_NE(NULL, c);
	ASSERT_EQ(3, c->count_modes);	/* junk and out-of-range dropped */
	EXPECT_EQ(800, c->modes[0].hdisplay);
	EXPECT_EQ(600, c->modes[0].vdisplay);
	EXPECT_TRUE(c->modes[0].type & DRM_MODE_TYPE_PREFERRED);
	drmModeFreeConnector(c);
	/* the same list again: no event */
	ASSERT_EQ(0, set_modes(xs, "800x600,640x480 junk 99999x5 1280x720"));
	EXPECT_NE(0, wait_hotplug(nl, 500));
	ASSERT_EQ(0, set_modes(xs, orig ? orig : ""));
	EXPECT_EQ(0, wait_hotplug(nl, 5000));
	free(orig);
	close(nl);
	xs_close(xs);
}

TEST_F(gntfb, dumb_buffer_and_info)
{
	struct drm_gntfb_info info = {};
	struct fb f;
	uint32_t i;

	ASSERT_EQ(0, fb_create(&self->k, &f, 640, 480));
	EXPECT_EQ(640u * 4, f.pitch);
	EXPECT_GE(f.size, 640ull * 480 * 4);
	for (i = 0; i < 640 * 480; i++)
		ASSERT_EQ(0u, f.map[i]);	/* zeroed, pool or not */
	for (i = 0; i < 640 * 480; i++)
		f.map[i] = i * 2654435761u;
	for (i = 0; i < 640 * 480; i++)
		ASSERT_EQ((uint32_t)(i * 2654435761u), f.map[i]);
	info.handle = f.handle;
	ASSERT_EQ(0, drmIoctl(self->k.fd, DRM_IOCTL_GNTFB_INFO, &info));
	EXPECT_NE(0u, info.dir_ref);
	EXPECT_EQ(f.size, info.size);
	EXPECT_GE((uint64_t)info.npages * 4096, info.size);
	EXPECT_EQ(0u, info.backend_domid);
	info.handle = 0xdead;
	EXPECT_NE(0, drmIoctl(self->k.fd, DRM_IOCTL_GNTFB_INFO, &info));
	fb_destroy(&self->k, &f);
}

TEST_F(gntfb, create_limits)
{
	struct drm_gntfb_create c = { .width = 16385, .height = 10, .bpp = 32 };

	EXPECT_NE(0, drmIoctl(self->k.fd, DRM_IOCTL_GNTFB_CREATE, &c));
	c = (struct drm_gntfb_create){ .width = 10, .height = 6145, .bpp = 32 };
	EXPECT_NE(0, drmIoctl(self->k.fd, DRM_IOCTL_GNTFB_CREATE, &c));
	c = (struct drm_gntfb_create){ .width = 10, .height = 10, .bpp = 24 };
	EXPECT_NE(0, drmIoctl(self->k.fd, DRM_IOCTL_GNTFB_CREATE, &c));
	c = (struct drm_gntfb_create){ .width = 10, .height = 10, .bpp = 32,
				       .flags = 1 };
	EXPECT_NE(0, drmIoctl(self->k.fd, DRM_IOCTL_GNTFB_CREATE, &c));
	/* over the grant cap (128 MiB by default): refused, not granted */
	c = (struct drm_gntfb_create){ .width = 16384, .height = 6144,
				       .bpp = 32 };
	EXPECT_NE(0, drmIoctl(self->k.fd, DRM_IOCTL_GNTFB_CREATE, &c));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_F(gntfb, modeset_flip_dirtyfb)
{
	struct kms *k = &self->k;
	uint32_t w = k->mode.hdisplay, h = k->mode.vdisplay;
	drmEventContext ev = { .version = 2 };
	struct pollfd pfd = { .fd = k->fd, .events = POLLIN };
	drmModeClip clip = { 10, 20, 110, 220 };
	struct fb a, b;
	drmModeCrtc *crtc;

	ASSERT_EQ(0, fb_create(k, &a, w, h));
	ASSERT_EQ(0, fb_create(k, &b, w, h));
	memset(a.map, 0x40, a.size);
	ASSERT_EQ(0, drmModeSetCrtc(k->fd, k->crtc_id, a.fb_id, 0, 0,
				    &k->conn_id, 1, &k->mode));
	crtc = drmModeGetCrtc(k->fd, k->crtc_id);
	ASSERT_NE(NULL, crtc);
	EXPECT_EQ(a.fb_id, crtc->buffer_id);
	drmModeFreeCrtc(crtc);
	EXPECT_EQ(0, drmModeDirtyFB(k->fd, a.fb_id, &clip, 1));
	/* flip to b: the event arrives without any fixed refresh pacing */
	ASSERT_EQ(0, drmModePageFlip(k->fd, k->crtc_id, b.fb_id,
				     DRM_MODE_PAGE_FLIP_EVENT, NULL));
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	EXPECT_EQ(0, drmHandleEvent(k->fd, &ev));
	crtc = drmModeGetCrtc(k->fd, k->crtc_id);
	EXPECT_EQ(b.fb_id, crtc->buffer_id);
	drmModeFreeCrtc(crtc);
	EXPECT_EQ(0, drmModeSetCrtc(k->fd, k->crtc_id, 0, 0, 0, NULL, 0, NULL));
	fb_destroy(k, &a);
	fb_destroy(k, &b);
}

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	drmModeObjectProperties *props;
	uint32_t id = 0, i;

	props = drmModeObjectGetProperties(fd, obj, type);
	for (i = 0; props && i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name))
			id = p->prop_id;
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

TEST_F(gntfb, atomic_damage_clips)
{
	struct kms *k = &self->k;
	uint32_t w = k->mode.hdisplay, h = k->mode.vdisplay, blob, mode_blob;
	struct drm_mode_rect clips[2] = { { 0, 0, 16, 16 }, { 100, 100, 200, 150 } };
	uint32_t fb_prop, crtc_prop, dmg, active, mode_id, conn_crtc;
	drmModeAtomicReq *req;
	struct fb a;

	ASSERT_EQ(0, drmSetClientCap(k->fd, DRM_CLIENT_CAP_ATOMIC, 1));
	fb_prop = prop_id(k->fd, k->plane_id, DRM_MODE_OBJECT_PLANE, "FB_ID");
	crtc_prop = prop_id(k->fd, k->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_ID");
	dmg = prop_id(k->fd, k->plane_id, DRM_MODE_OBJECT_PLANE, "FB_DAMAGE_CLIPS");
	active = prop_id(k->fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE");
	mode_id = prop_id(k->fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID");
	conn_crtc = prop_id(k->fd, k->conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
	ASSERT_NE(0u, dmg);
	ASSERT_EQ(0, fb_create(k, &a, w, h));
	ASSERT_EQ(0, drmModeCreatePropertyBlob(k->fd, &k->mode, sizeof(k->mode),
					       &mode_blob));
	req = drmModeAtomicAlloc();
	drmModeAtomicAddProperty(req, k->conn_id, conn_crtc, k->crtc_id);
	drmModeAtomicAddProperty(req, k->crtc_id, active, 1);
	drmModeAtomicAddProperty(req, k->crtc_id, mode_id, mode_blob);
	drmModeAtomicAddProperty(req, k->plane_id, fb_prop, a.fb_id);
	drmModeAtomicAddProperty(req, k->plane_id, crtc_prop, k->crtc_id);
	prop_id(k->fd, k->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_W");
	ASSERT_EQ(0, drmModeAtomicCommit(k->fd, req,
					 DRM_MODE_ATOMIC_ALLOW_MODESET, NULL));
	drmModeAtomicFree(req);
	/* a damage-only update: same fb, two clips, merged into one event */
	ASSERT_EQ(0, drmModeCreatePropertyBlob(k->fd, clips, sizeof(clips), &blob));
	req = drmModeAtomicAlloc();
	drmModeAtomicAddProperty(req, k->plane_id, fb_prop, a.fb_id);
	drmModeAtomicAddProperty(req, k->plane_id, dmg, blob);
	EXPECT_EQ(0, drmModeAtomicCommit(k->fd, req, 0, NULL));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k->fd, blob);
	/* a clip outside the framebuffer is clamped, not refused */
	clips[0] = (struct drm_mode_rect){ 0, 0, 100000, 100000 };
	ASSERT_EQ(0, drmModeCreatePropertyBlob(k->fd, clips, sizeof(clips[0]), &blob));
	req = drmModeAtomicAlloc();
	drmModeAtomicAddProperty(req, k->plane_id, fb_prop, a.fb_id);
	drmModeAtomicAddProperty(req, k->plane_id, dmg, blob);
	EXPECT_EQ(0, drmModeAtomicCommit(k->fd, req, 0, NULL));
	drmModeAtomicFree(req);
	drmModeDestroyPropertyBlob(k->fd, blob);
	drmModeDestroyPropertyBlob(k->fd, mode_blob);
	EXPECT_EQ(0, drmModeSetCrtc(k->fd, k->crtc_id, 0, 0, 0, NULL, 0, NULL));
	fb_destroy(k, &a);
}

/*
 * A window dragged back and forth by its corner: @iters resizes cycling
 * through 50 sizes, each replacing the window's pixmap by a new one.
 * Returns the pool stats after the first back-and-forth (100) in @warm
 * and after the last resize in @end, both with one pixmap alive.
 */
static int resize_loop(int fd, unsigned int iters, struct drm_gntfb_stats *warm,
		       struct drm_gntfb_stats *end)
{
	struct drm_gntfb_create c;
	struct drm_gem_close gc;
	uint32_t prev = 0, *p;
	unsigned int i, k;

	for (i = 0; i < iters; i++) {
		k = i % 100 < 50 ? i % 50 : 49 - i % 50;
		c = (struct drm_gntfb_create){ .width = 300 + 7 * k,
					       .height = 200 + 5 * k, .bpp = 32 };
		if (drmIoctl(fd, DRM_IOCTL_GNTFB_CREATE, &c))
			return -1;
		if (!(i % 50)) {	/* touch it now and then: reuse is zeroed */
			struct drm_mode_map_dumb md = { .handle = c.handle };

			if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
				return -2;
			p = mmap(NULL, c.size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, md.offset);
			if (p == MAP_FAILED)
				return -3;
			if (p[0] || p[c.size / 4 - 1])
				return -4;
			p[0] = 1;
			p[c.size / 4 - 1] = 1;
			munmap(p, c.size);
		}
		if (prev) {
			gc = (struct drm_gem_close){ .handle = prev };
			if (drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &gc))
				return -5;
		}
		prev = c.handle;
		if (i == 99 && stats(fd, warm))
			return -6;
		if (i == iters - 1 && stats(fd, end))
			return -7;
	}
	gc = (struct drm_gem_close){ .handle = prev };
	return drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
}

TEST_F_TIMEOUT(gntfb, pool_reuse_1000_resizes, 120)
{
	struct drm_gntfb_stats s0, warm, end;

	ASSERT_EQ(0, stats(self->k.fd, &s0));
	ASSERT_EQ(0, resize_loop(self->k.fd, 1000, &warm, &end));
	TH_LOG("after 100 resizes: granted %u pages, %llu allocs; after 1000: granted %u pages (cap %u), %llu allocs, %llu reuses, %u free bufs",
	       warm.granted_pages, (unsigned long long)warm.allocs,
	       end.granted_pages, end.max_pages, (unsigned long long)end.allocs,
	       (unsigned long long)end.reuses, end.free_bufs);
	EXPECT_EQ(s0.live_bufs + 1, end.live_bufs);
	/* the 900 resizes after the first cycle granted nothing new */
	EXPECT_EQ(warm.granted_pages, end.granted_pages);
	EXPECT_EQ(warm.allocs, end.allocs);
	EXPECT_GE(end.reuses - warm.reuses, 900ull);
	EXPECT_LE(end.granted_pages, end.max_pages);
}

TEST_HARNESS_MAIN
