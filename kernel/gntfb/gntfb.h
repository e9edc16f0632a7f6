/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gntfb private header: the guest role (DRM device, buffer pool, damage
 * ring) and the GUI-domain role (importer), see Documentation/gntfb.rst.
 */
#ifndef GNTFB_H
#define GNTFB_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <drm/drm_connector.h>
#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/drm_simple_kms_helper.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "uapi/gntfb.h"

#define GNTFB_NAME "gntfb"

/* module parameters (gntfb_drv.c) */
extern unsigned int gntfb_backend_domid;
extern unsigned int gntfb_max_granted_pages;
extern unsigned int gntfb_max_free_bufs;
extern unsigned int gntfb_import_max_pages;
extern unsigned int gntfb_import_max_maps;

/* ---- guest: buffer pool (gntfb_gem.c) --------------------------------- */

/**
 * struct gntfb_buf - a granted buffer: data pages plus its page directory
 * @node: entry in the pool's free or retiring list
 * @npages: data pages (the size class)
 * @ndir: directory pages
 * @pages: @npages data pages then @ndir directory pages
 * @refs: grant refs, same order; INVALID_GRANT_REF once ended
 * @retire_sent: a RETIRE event was published for this buffer
 */
struct gntfb_buf {
	struct list_head node;
	unsigned int npages;
	unsigned int ndir;
	struct page **pages;
	grant_ref_t *refs;
	bool retire_sent;
};

static inline grant_ref_t gntfb_buf_dir_ref(const struct gntfb_buf *buf)
{
	return buf->refs[buf->npages];
}

struct gntfb_ring;

/**
 * struct gntfb_pool - size-classed pool of granted buffers, one per guest
 * @lock: protects every field below and the lists' buffers
 * @free: granted buffers not backing a GEM object, oldest first
 * @retiring: buffers whose grants the GUI domain still maps
 * @retire_work: retries ending the grants of @retiring
 * @ring: where RETIRE events go (may be NULL)
 * @domid: the domain the pages are granted to
 */
struct gntfb_pool {
	struct mutex lock;	/* protects everything below */
	struct list_head free;
	struct list_head retiring;
	struct delayed_work retire_work;
	struct gntfb_ring *ring;
	domid_t domid;
	unsigned int granted_pages;
	unsigned int live_bufs;
	unsigned int free_bufs;
	unsigned int retiring_bufs;
	u64 allocs;
	u64 reuses;
};

int gntfb_pool_init(struct drm_device *drm, struct gntfb_pool *pool,
		    struct gntfb_ring *ring, domid_t domid);
struct gntfb_buf *gntfb_pool_get(struct gntfb_pool *pool, unsigned int npages);
void gntfb_pool_put(struct gntfb_pool *pool, struct gntfb_buf *buf);
void gntfb_pool_stats(struct gntfb_pool *pool, struct drm_gntfb_stats *st);

/**
 * struct gntfb_bo - a GEM object backed by a pool buffer
 * @base: the GEM object; its size is what userspace asked for
 * @buf: the granted pages (at least @base.size)
 */
struct gntfb_bo {
	struct drm_gem_object base;
	struct gntfb_buf *buf;
};

static inline struct gntfb_bo *to_gntfb_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct gntfb_bo, base);
}

struct gntfb_bo *gntfb_bo_create(struct drm_device *drm, size_t size);
int gntfb_dumb_create(struct drm_file *file, struct drm_device *drm,
		      struct drm_mode_create_dumb *args);
int gntfb_ioctl_create(struct drm_device *drm, void *data,
		       struct drm_file *file);
int gntfb_ioctl_info(struct drm_device *drm, void *data,
		     struct drm_file *file);
int gntfb_ioctl_stats(struct drm_device *drm, void *data,
		      struct drm_file *file);

/* ---- guest: damage ring (gntfb_ring.c) -------------------------------- */

/**
 * struct gntfb_ring - the guest's producer side of the damage ring
 * @lock: protects @sring writes, @prod and @resync (taken in IRQ context)
 * @sring: the shared page, granted read-write to the GUI domain
 * @ref: grant ref of @sring
 * @port: event channel port
 * @irq: Linux IRQ bound to @port
 * @prod: private producer counter (the shared one is only ever written)
 * @resync: events were dropped; publish GNTFB_EV_RESYNC when possible
 */
struct gntfb_ring {
	spinlock_t lock;	/* protects @sring writes, @prod, @resync */
	struct gntfb_ring_page *sring;
	grant_ref_t ref;
	evtchn_port_t port;
	int irq;
	u32 prod;
	bool resync;
};

int gntfb_ring_init(struct drm_device *drm, struct gntfb_ring *ring,
		    domid_t domid);
void gntfb_ring_push(struct gntfb_ring *ring, const struct gntfb_event *ev);
void gntfb_ring_set_scanout(struct gntfb_ring *ring, u32 dir_ref, u32 width,
			    u32 height, u32 pitch, u32 format);

/* ---- guest: the DRM device (gntfb_kms.c) ------------------------------ */

/**
 * struct gntfb_device - the guest role's DRM device
 * @drm: the DRM device
 * @pipe: plane + CRTC + encoder
 * @conn: the one virtual connector
 * @modes_lock: protects @modes and @nmodes
 * @modes: mode sizes from XenStore, first = preferred
 * @modes_watch: XenStore watch on gntfb/modes
 * @frame: commit counter published in events (under the commit's locks)
 * @pool: buffer pool
 * @ring: damage ring
 */
struct gntfb_device {
	struct drm_device drm;
	struct drm_simple_display_pipe pipe;
	struct drm_connector conn;
	struct mutex modes_lock;	/* protects @modes, @nmodes */
	struct {
		u16 w, h;
	} modes[GNTFB_MAX_MODES];
	unsigned int nmodes;
	struct xenbus_watch modes_watch;
	u32 frame;
	struct gntfb_pool pool;
	struct gntfb_ring ring;
};

static inline struct gntfb_device *to_gntfb_device(struct drm_device *drm)
{
	return container_of(drm, struct gntfb_device, drm);
}

int gntfb_kms_init(struct gntfb_device *gdev);

/* ---- GUI domain: importer (gntfb_import.c) ---------------------------- */

int gntfb_import_init(void);
void gntfb_import_exit(void);

#endif /* GNTFB_H */
