/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * gntfb: zero-copy grant-mapped framebuffers between Xen domains.
 *
 * One header for every party: the guest DRM driver and the dom0 importer
 * (kernel/gntfb), the X drivers and the C++ userspace. It defines
 *
 *  - the page directory a guest writes to describe a buffer with one grant
 *    reference (the layout of struct xendispl_page_directory in Xen's
 *    io/displif.h);
 *  - the shared damage ring (one granted page plus an event channel);
 *  - the XenStore keys of the protocol;
 *  - the guest DRM driver ioctls (DRM_IOCTL_GNTFB_*);
 *  - the dom0 importer ioctls on /dev/gntfb-import and on buffer fds.
 *
 * All integers are little-endian (x86 and arm64 Xen guests) and every
 * structure has a fixed size, checked below, with explicit padding.
 * Documentation/gntfb.rst describes the protocol in prose.
 */
#ifndef _UAPI_GNTFB_H
#define _UAPI_GNTFB_H

#include <linux/types.h>
#include <linux/ioctl.h>

#ifdef __cplusplus
#define GNTFB_STATIC_ASSERT(e) static_assert(e, #e)
#else
#define GNTFB_STATIC_ASSERT(e) _Static_assert(e, #e)
#endif

#define GNTFB_PROTOCOL_VERSION 1

/* Grant granularity: Xen pages are always 4 KiB. */
#define GNTFB_PAGE_SIZE 4096u

/* Limits of one buffer, enforced by both the guest and the importer. */
#define GNTFB_MAX_WIDTH 16384u
#define GNTFB_MAX_HEIGHT 6144u
#define GNTFB_MAX_CPP 4u
#define GNTFB_MAX_BUFFER_BYTES                                                 \
	((__u64)GNTFB_MAX_WIDTH * GNTFB_MAX_HEIGHT * GNTFB_MAX_CPP)
#define GNTFB_MAX_BUFFER_PAGES (GNTFB_MAX_BUFFER_BYTES / GNTFB_PAGE_SIZE)

/*
 * Page directory. A buffer of N data pages is described by
 * ceil(N / GNTFB_DIR_REFS_PER_PAGE) directory pages, each granted to the
 * GUI domain read-only. The grant reference of the first directory page
 * names the whole buffer ("dir ref"). @next is the grant reference of the
 * following directory page, 0 on the last one; @ref[i] are the grant
 * references of the data pages in order. The importer reads exactly as
 * many directory pages as the buffer size it was told needs, refuses a
 * chain that repeats a directory page, and never trusts @next to end.
 */
#define GNTFB_DIR_REFS_PER_PAGE ((GNTFB_PAGE_SIZE - 4) / 4)

struct gntfb_dir_page {
	__u32 next;
	__u32 ref[GNTFB_DIR_REFS_PER_PAGE];
};

GNTFB_STATIC_ASSERT(sizeof(struct gntfb_dir_page) == GNTFB_PAGE_SIZE);

/*
 * XenStore keys, relative to the guest's home /local/domain/<guest>/ (in
 * data/, the subtree a guest may write under xl):
 *   data/gntfb/ring-ref       guest: grant ref of the ring page (read-write)
 *   data/gntfb/event-channel  guest: unbound event channel port for the GUI domain
 *   data/gntfb/backend-domid  guest: domain the buffers are granted to
 *   data/gntfb/version        guest: GNTFB_PROTOCOL_VERSION, written last
 *   data/gntfb/modes          GUI domain: "WxH[ WxH...]", first = preferred;
 *                             every change is a hotplug event in the guest
 * The guest can write every key, so the GUI domain validates what it reads.
 */
#define GNTFB_XS_DIR "data/gntfb"
#define GNTFB_XS_RING_REF "ring-ref"
#define GNTFB_XS_EVTCHN "event-channel"
#define GNTFB_XS_BACKEND "backend-domid"
#define GNTFB_XS_VERSION "version"
#define GNTFB_XS_MODES "modes"
#define GNTFB_MAX_MODES 16

/*
 * Damage ring: one page, guest = producer, GUI domain = consumer.
 *
 * @prod and @cons are free-running counters; slot = counter %
 * GNTFB_RING_SIZE. The guest writes an event, then (write barrier) @prod.
 * The consumer reads @prod, (read barrier) copies the events out, then
 * (full barrier) writes @cons. A consumer that wants an event-channel kick
 * sets @cons_event to the @prod value it waits for (usually @cons + 1),
 * as Xen's io/ring.h does with req_event; the guest kicks only when its
 * new @prod passes @cons_event. The consumer may kick the guest after
 * consuming; the guest then resends what it could not publish.
 *
 * The guest never blocks on a full ring: it counts the events it could not
 * publish in @dropped and, as soon as there is room, publishes
 * GNTFB_EV_RESYNC. A consumer seeing RESYNC (or @dropped change) redraws
 * from the scanout fields of the header.
 *
 * The scanout fields describe the current scanout buffer for a consumer
 * that (re)starts: they are valid when @scanout_seq is even and did not
 * change across the read (a seqcount).
 */
#define GNTFB_RING_SIZE 64u

enum gntfb_event_type {
	GNTFB_EV_NONE = 0,
	/* new scanout buffer (modeset or page flip): see gntfb_event */
	GNTFB_EV_SCANOUT = 1,
	/* damaged rectangle of a buffer, one per buffer per frame */
	GNTFB_EV_DAMAGE = 2,
	/* scanout disabled (CRTC off) */
	GNTFB_EV_DISABLE = 3,
	/* the guest wants the buffer back: drop every import of @dir_ref */
	GNTFB_EV_RETIRE = 4,
	/* events were dropped on a full ring: redraw from the header */
	GNTFB_EV_RESYNC = 5,
};

/*
 * One ring event (32 bytes).
 * @seq:     the producer counter value of this slot (consumer checks order)
 * @type:    enum gntfb_event_type
 * @flags:   0
 * @dir_ref: the buffer (its directory ref); 0 for DISABLE/RESYNC
 * @frame:   guest frame counter: one per atomic commit
 * @x1..@y2: DAMAGE: the rectangle [x1,x2) x [y1,y2);
 *           SCANOUT: 0, 0, width, height
 * @arg0:    SCANOUT: pitch in bytes; RETIRE: size in pages
 * @arg1:    SCANOUT: DRM fourcc format
 */
struct gntfb_event {
	__u32 seq;
	__u16 type;
	__u16 flags;
	__u32 dir_ref;
	__u32 frame;
	__u16 x1;
	__u16 y1;
	__u16 x2;
	__u16 y2;
	__u32 arg0;
	__u32 arg1;
};

GNTFB_STATIC_ASSERT(sizeof(struct gntfb_event) == 32);

struct gntfb_ring_page {
	__u32 prod;
	__u32 cons;
	__u32 cons_event;
	__u32 dropped;
	__u32 scanout_seq;
	__u32 scanout_ref;
	__u32 scanout_width;
	__u32 scanout_height;
	__u32 scanout_pitch;
	__u32 scanout_format;
	__u32 frame;
	__u32 version;
	__u8 reserved[16];
	struct gntfb_event ev[GNTFB_RING_SIZE];
};

GNTFB_STATIC_ASSERT(sizeof(struct gntfb_ring_page) == 64 + 32 * GNTFB_RING_SIZE);
GNTFB_STATIC_ASSERT(sizeof(struct gntfb_ring_page) <= GNTFB_PAGE_SIZE);

/* ---- guest: DRM driver ioctls (on /dev/dri/cardN) --------------------- */

/*
 * DRM_IOCTL_GNTFB_CREATE: a buffer that is not necessarily scanned out
 * (a window pixmap). In: @width, @height, @bpp (32 or 16), @flags (0).
 * Out: @handle (GEM handle), @pitch, @size (bytes), @dir_ref.
 */
struct drm_gntfb_create {
	__u32 width;
	__u32 height;
	__u32 bpp;
	__u32 flags;
	__u32 handle;
	__u32 pitch;
	__u64 size;
	__u32 dir_ref;
	__u32 pad;
};

GNTFB_STATIC_ASSERT(sizeof(struct drm_gntfb_create) == 40);

/*
 * DRM_IOCTL_GNTFB_INFO: what the GUI domain needs to import a GEM object
 * (dumb buffers included). In: @handle. Out: @dir_ref, @size (bytes of the
 * GEM object: import at most this), @npages (pages the directory lists,
 * >= size / 4096: the pool's size class), @backend_domid.
 */
struct drm_gntfb_info {
	__u32 handle;
	__u32 dir_ref;
	__u64 size;
	__u32 npages;
	__u32 backend_domid;
};

GNTFB_STATIC_ASSERT(sizeof(struct drm_gntfb_info) == 24);

/*
 * DRM_IOCTL_GNTFB_STATS: the buffer pool's accounting.
 * @granted_pages: pages (data + directory) currently granted, all states
 * @max_pages:     the cap (module parameter max_granted_pages)
 * @live_bufs:     buffers backing a GEM object
 * @free_bufs:     buffers kept granted in the pool for reuse
 * @retiring_bufs: buffers whose grants wait for the GUI domain to unmap
 * @allocs:        buffers ever granted; @reuses: allocations served by the pool
 */
struct drm_gntfb_stats {
	__u32 granted_pages;
	__u32 max_pages;
	__u32 live_bufs;
	__u32 free_bufs;
	__u32 retiring_bufs;
	__u32 pad;
	__u64 allocs;
	__u64 reuses;
};

GNTFB_STATIC_ASSERT(sizeof(struct drm_gntfb_stats) == 40);

#define DRM_GNTFB_CREATE 0x00
#define DRM_GNTFB_INFO 0x01
#define DRM_GNTFB_STATS 0x02

/*
 * Driver ioctls are DRM_IOWR(DRM_COMMAND_BASE + nr, ...); spelled out so
 * that this header needs neither the kernel's nor libdrm's drm.h.
 */
#define GNTFB_DRM_IOCTL_BASE 'd'
#define GNTFB_DRM_COMMAND_BASE 0x40
#define DRM_IOCTL_GNTFB_CREATE                                                 \
	_IOWR(GNTFB_DRM_IOCTL_BASE, GNTFB_DRM_COMMAND_BASE + DRM_GNTFB_CREATE, \
	      struct drm_gntfb_create)
#define DRM_IOCTL_GNTFB_INFO                                                   \
	_IOWR(GNTFB_DRM_IOCTL_BASE, GNTFB_DRM_COMMAND_BASE + DRM_GNTFB_INFO,   \
	      struct drm_gntfb_info)
#define DRM_IOCTL_GNTFB_STATS                                                  \
	_IOR(GNTFB_DRM_IOCTL_BASE, GNTFB_DRM_COMMAND_BASE + DRM_GNTFB_STATS,   \
	     struct drm_gntfb_stats)

/* ---- GUI domain: the importer (/dev/gntfb-import) --------------------- */

#define GNTFB_IMPORT_DEVICE "/dev/gntfb-import"

/* the fd allows PROT_WRITE mappings (needs writable grants) */
#define GNTFB_IMPORT_WRITABLE (1u << 0)
#define GNTFB_IMPORT_FLAGS GNTFB_IMPORT_WRITABLE

/*
 * GNTFB_IOC_IMPORT: In: @domid (granting domain), @dir_ref, @size (bytes,
 * 1..GNTFB_MAX_BUFFER_BYTES), @flags. Out: @fd, a new O_CLOEXEC fd with
 * fstat().st_size = @size rounded up to pages, that any process may mmap
 * (MAP_SHARED, offset 0) to read the guest's pages in place.
 * Errors: EINVAL bad argument or directory, E2BIG over the size limit,
 * ELOOP directory chain repeats a page, EDQUOT domain budget exhausted,
 * ENOENT/EPERM/ESRCH a grant is invalid, not ours, or its domain is gone.
 */
struct gntfb_import {
	__u32 domid;
	__u32 dir_ref;
	__u64 size;
	__u32 flags;
	__s32 fd;
};

GNTFB_STATIC_ASSERT(sizeof(struct gntfb_import) == 24);

/* GNTFB_IOC_IMPORT_STATS: the importer's accounting, all domains */
struct gntfb_import_stats {
	__u32 live_imports;
	__u32 live_pages;
	__u32 live_maps;
	__u32 revoked_imports;
};

GNTFB_STATIC_ASSERT(sizeof(struct gntfb_import_stats) == 16);

#define GNTFB_IOC_MAGIC 'G'
#define GNTFB_IOC_IMPORT _IOWR(GNTFB_IOC_MAGIC, 0x40, struct gntfb_import)
/* on a buffer fd: unmap it from every process (they get SIGBUS), no new mmap */
#define GNTFB_IOC_REVOKE _IO(GNTFB_IOC_MAGIC, 0x41)
/* on /dev/gntfb-import: revoke every import of a domain (argument: domid) */
#define GNTFB_IOC_REVOKE_DOMAIN _IOW(GNTFB_IOC_MAGIC, 0x42, __u32)
#define GNTFB_IOC_IMPORT_STATS                                                 \
	_IOR(GNTFB_IOC_MAGIC, 0x43, struct gntfb_import_stats)

#endif /* _UAPI_GNTFB_H */
