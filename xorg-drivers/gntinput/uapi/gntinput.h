/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * gntinput: keyboard and pointer input from the GUI domain (dom0) to an
 * AppVM's X server through one granted page and an event channel.
 *
 * One header for every party: the gntinput Xorg input driver in the AppVM
 * (the consumer, which allocates the page and grants it to dom0) and
 * bulkhead-guid in dom0 (the producer, which maps it). It defines
 *
 *  - the shared page: a header with the producer and consumer indices, the
 *    XKB layout block, and a ring of fixed-size events;
 *  - the event types and their fields;
 *  - the XenStore keys through which the AppVM advertises the page.
 *
 * All integers are little-endian (x86 and arm64 Xen guests) and every
 * structure has a fixed size, checked below, with explicit padding.
 * Documentation/input.rst describes the protocol in prose.
 *
 * Indices are free-running 32-bit counters; slot = index % GNTINPUT_RING_SIZE.
 * @prod is written by the producer only, @cons by the consumer only. The
 * producer writes an event, then (write barrier) @prod; the consumer reads
 * @prod, then (read barrier) copies the event out of shared memory before
 * looking at it, then (full barrier) advances @cons. Neither side trusts
 * the other's index: prod - cons > GNTINPUT_RING_SIZE is a broken peer.
 */
#ifndef _UAPI_GNTINPUT_H
#define _UAPI_GNTINPUT_H

#include <linux/types.h>

#ifdef __cplusplus
#define GNTINPUT_STATIC_ASSERT(e) static_assert(e, #e)
#else
#define GNTINPUT_STATIC_ASSERT(e) _Static_assert(e, #e)
#endif

#define GNTINPUT_MAGIC 0x504e4947u /* "GINP" */
#define GNTINPUT_VERSION_MAJOR 1
#define GNTINPUT_VERSION_MINOR 0

#define GNTINPUT_PAGE_SIZE 4096u

/* Events in the ring: a power of two, so free-running indices wrap cleanly. */
#define GNTINPUT_RING_SIZE 128u

/*
 * XenStore, relative to the AppVM's own /local/domain/<domid>/ (the AppVM
 * writes them, dom0 reads them): the grant reference of the page and the
 * unbound event-channel port allocated for dom0, both decimal, and the
 * protocol version "1.0". The AppVM writes ring-ref and event-channel
 * first, and GNTINPUT_XS_STATE ("connected") last; dom0 reads the rest only
 * after that, and re-reads them when state changes.
 */
#define GNTINPUT_XS_DIR "data/bulkhead-input"
#define GNTINPUT_XS_RING_REF GNTINPUT_XS_DIR "/ring-ref"
#define GNTINPUT_XS_EVTCHN GNTINPUT_XS_DIR "/event-channel"
#define GNTINPUT_XS_VERSION GNTINPUT_XS_DIR "/version"
#define GNTINPUT_XS_STATE GNTINPUT_XS_DIR "/state"

/* Event types (struct gntinput_event.type). */
enum gntinput_event_type {
	/* @detail X keycode 8..255, @flags GNTINPUT_F_PRESS or 0 (release) */
	GNTINPUT_EV_KEY = 1,
	/* @detail button 1..GNTINPUT_MAX_BUTTON (not 4..7: see SCROLL), @flags as KEY,
	 * @x @y the pointer position (AppVM screen coordinates) */
	GNTINPUT_EV_BUTTON = 2,
	/* @x @y absolute position in the AppVM's screen coordinates */
	GNTINPUT_EV_MOTION = 3,
	/* @x horizontal, @y vertical steps (positive: right, down), each
	 * -GNTINPUT_MAX_SCROLL..GNTINPUT_MAX_SCROLL, not both 0 */
	GNTINPUT_EV_SCROLL = 4,
	/* the pointer entered (@flags GNTINPUT_F_ENTER) or left (0) one of the
	 * AppVM's windows in dom0; @x @y as MOTION */
	GNTINPUT_EV_CROSSING = 5,
	/* keyboard focus gained (@flags GNTINPUT_F_FOCUS) or lost (0); on
	 * loss the consumer releases whatever it still holds down */
	GNTINPUT_EV_FOCUS = 6,
	/* a new XKB layout is in the page's layout block; @detail is the
	 * block's sequence number when the event was written */
	GNTINPUT_EV_LAYOUT = 7,
};

#define GNTINPUT_F_PRESS 0x1u
#define GNTINPUT_F_ENTER 0x1u
#define GNTINPUT_F_FOCUS 0x1u

#define GNTINPUT_MIN_KEYCODE 8u
#define GNTINPUT_MAX_KEYCODE 255u
#define GNTINPUT_MAX_BUTTON 12u
#define GNTINPUT_MAX_SCROLL 64
#define GNTINPUT_MAX_COORD 32767

/* One event: 16 bytes. Fields a type does not use are 0. */
struct gntinput_event {
	__u16 type;
	__u16 flags;
	__u32 detail;
	__s32 x;
	__s32 y;
};

/*
 * XKB layout block: the RMLVO names dom0's keyboard uses, each a
 * NUL-terminated string of [A-Za-z0-9_+,:()./-] in its fixed field
 * (rules and model 64 bytes, layout and variant 128, options 256). Guarded
 * like a seqlock: the producer makes @seq odd, writes the names, makes @seq
 * even (write barriers between), then queues a LAYOUT event carrying @seq.
 * A consumer that reads an odd @seq, or a different @seq after copying,
 * skips that event: a newer LAYOUT event follows.
 */
#define GNTINPUT_XKB_RULES_LEN 64u
#define GNTINPUT_XKB_MODEL_LEN 64u
#define GNTINPUT_XKB_LAYOUT_LEN 128u
#define GNTINPUT_XKB_VARIANT_LEN 128u
#define GNTINPUT_XKB_OPTIONS_LEN 256u

struct gntinput_xkb {
	__u32 seq;
	__u32 pad;
	char rules[GNTINPUT_XKB_RULES_LEN];
	char model[GNTINPUT_XKB_MODEL_LEN];
	char layout[GNTINPUT_XKB_LAYOUT_LEN];
	char variant[GNTINPUT_XKB_VARIANT_LEN];
	char options[GNTINPUT_XKB_OPTIONS_LEN];
};

/*
 * The page. The consumer (AppVM) zeroes it, sets @magic and the versions,
 * and only then grants it. @want_notify: the producer sets it to 1 when it
 * has events waiting for room; the consumer, after advancing @cons, clears
 * it and notifies the event channel. The producer notifies after every batch
 * it publishes.
 */
struct gntinput_page {
	__u32 magic;
	__u16 version_major;
	__u16 version_minor;
	__u32 prod;
	__u32 cons;
	__u32 want_notify;
	__u8 pad0[44];
	struct gntinput_xkb xkb;		/* at 64 */
	__u8 pad1[2048 - 64 - sizeof(struct gntinput_xkb)];
	struct gntinput_event ring[GNTINPUT_RING_SIZE]; /* at 2048 */
};

GNTINPUT_STATIC_ASSERT(sizeof(struct gntinput_event) == 16);
GNTINPUT_STATIC_ASSERT(sizeof(struct gntinput_xkb) == 648);
GNTINPUT_STATIC_ASSERT(sizeof(struct gntinput_page) == GNTINPUT_PAGE_SIZE);
GNTINPUT_STATIC_ASSERT((GNTINPUT_RING_SIZE & (GNTINPUT_RING_SIZE - 1)) == 0);

#endif /* _UAPI_GNTINPUT_H */
