// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntfb guest role: the damage ring, producer side (one granted page and
 * an event channel to the GUI domain), published in XenStore.
 */

#include <linux/interrupt.h>
#include <linux/mm.h>
#include <drm/drm_managed.h>
#include <xen/events.h>
#include <xen/page.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>

#include "gntfb.h"

/* the consumer's counters come from another domain: clamp what we use */
static u32 gntfb_ring_space(struct gntfb_ring *ring)
{
	u32 used = ring->prod - READ_ONCE(ring->sring->cons);

	/* a consumer claiming to be ahead of us: treat the ring as full */
	if (used > GNTFB_RING_SIZE)
		return 0;
	return GNTFB_RING_SIZE - used;
}

/* write one event and advance prod; caller holds ring->lock, has space */
static bool gntfb_ring_write(struct gntfb_ring *ring,
			     const struct gntfb_event *ev)
{
	struct gntfb_event *slot;
	u32 old = ring->prod, event;

	slot = &ring->sring->ev[old % GNTFB_RING_SIZE];
	*slot = *ev;
	slot->seq = old;
	ring->prod = old + 1;
	/* the event is visible before the new prod that publishes it */
	smp_wmb();
	WRITE_ONCE(ring->sring->prod, ring->prod);
	/* prod is visible before we read cons_event (as RING_PUSH_..._NOTIFY) */
	virt_mb();
	event = READ_ONCE(ring->sring->cons_event);
	return (u32)(ring->prod - event) < (u32)(ring->prod - old);
}

/* publish a pending RESYNC if there is room; caller holds ring->lock */
static bool gntfb_ring_flush_resync(struct gntfb_ring *ring)
{
	struct gntfb_event ev = { .type = GNTFB_EV_RESYNC };

	if (!ring->resync || !gntfb_ring_space(ring))
		return false;
	ring->resync = false;
	return gntfb_ring_write(ring, &ev);
}

/**
 * gntfb_ring_push() - publish one event, never blocking
 * @ring: the ring
 * @ev: the event; @seq is filled in
 *
 * On a full ring the event is dropped, counted in the shared @dropped and
 * replaced by one RESYNC event as soon as there is room: the consumer then
 * redraws from the header. Kicks the event channel when the consumer asked.
 */
void gntfb_ring_push(struct gntfb_ring *ring, const struct gntfb_event *ev)
{
	unsigned long flags;
	bool notify;

	spin_lock_irqsave(&ring->lock, flags);
	notify = gntfb_ring_flush_resync(ring);
	if (!ring->resync && gntfb_ring_space(ring)) {
		notify |= gntfb_ring_write(ring, ev);
	} else {
		ring->resync = true;
		WRITE_ONCE(ring->sring->dropped, ring->sring->dropped + 1);
	}
	spin_unlock_irqrestore(&ring->lock, flags);
	if (notify)
		notify_remote_via_irq(ring->irq);
}

/**
 * gntfb_ring_set_scanout() - update the header's current scanout
 * @ring: the ring
 * @dir_ref: directory ref of the scanout buffer, 0 when disabled
 * @width: pixels
 * @height: pixels
 * @pitch: bytes per line
 * @format: DRM fourcc
 *
 * The fields are guarded by scanout_seq, odd while they change (a seqcount
 * the consumer checks around its read).
 */
void gntfb_ring_set_scanout(struct gntfb_ring *ring, u32 dir_ref, u32 width,
			    u32 height, u32 pitch, u32 format)
{
	struct gntfb_ring_page *s = ring->sring;
	unsigned long flags;

	spin_lock_irqsave(&ring->lock, flags);
	WRITE_ONCE(s->scanout_seq, s->scanout_seq + 1);
	/* odd seq is visible before the fields change */
	smp_wmb();
	WRITE_ONCE(s->scanout_ref, dir_ref);
	WRITE_ONCE(s->scanout_width, width);
	WRITE_ONCE(s->scanout_height, height);
	WRITE_ONCE(s->scanout_pitch, pitch);
	WRITE_ONCE(s->scanout_format, format);
	/* the fields are visible before the even seq */
	smp_wmb();
	WRITE_ONCE(s->scanout_seq, s->scanout_seq + 1);
	spin_unlock_irqrestore(&ring->lock, flags);
}

/* the consumer made room (or just kicked us): resend a pending RESYNC */
static irqreturn_t gntfb_ring_interrupt(int irq, void *data)
{
	struct gntfb_ring *ring = data;
	unsigned long flags;
	bool notify;

	spin_lock_irqsave(&ring->lock, flags);
	notify = gntfb_ring_flush_resync(ring);
	spin_unlock_irqrestore(&ring->lock, flags);
	if (notify)
		notify_remote_via_irq(ring->irq);
	return IRQ_HANDLED;
}

static void gntfb_ring_fini(struct drm_device *drm, void *data)
{
	struct gntfb_ring *ring = data;

	xenbus_rm(XBT_NIL, GNTFB_XS_DIR, GNTFB_XS_VERSION);
	xenbus_rm(XBT_NIL, GNTFB_XS_DIR, GNTFB_XS_RING_REF);
	xenbus_rm(XBT_NIL, GNTFB_XS_DIR, GNTFB_XS_EVTCHN);
	if (ring->irq > 0)
		unbind_from_irqhandler(ring->irq, ring);	/* closes the port */
	/* frees the page only once the consumer no longer maps it */
	gnttab_end_foreign_access(ring->ref, virt_to_page(ring->sring));
}

static int gntfb_ring_publish(struct gntfb_ring *ring, domid_t domid)
{
	struct xenbus_transaction xbt;
	int ret;

again:
	ret = xenbus_transaction_start(&xbt);
	if (ret)
		return ret;
	ret = xenbus_printf(xbt, GNTFB_XS_DIR, GNTFB_XS_RING_REF, "%u",
			    ring->ref);
	if (!ret)
		ret = xenbus_printf(xbt, GNTFB_XS_DIR, GNTFB_XS_EVTCHN, "%u",
				    ring->port);
	if (!ret)
		ret = xenbus_printf(xbt, GNTFB_XS_DIR, GNTFB_XS_BACKEND, "%u",
				    domid);
	if (!ret)
		ret = xenbus_printf(xbt, GNTFB_XS_DIR, GNTFB_XS_VERSION, "%u",
				    GNTFB_PROTOCOL_VERSION);
	if (ret) {
		xenbus_transaction_end(xbt, 1);
		return ret;
	}
	ret = xenbus_transaction_end(xbt, 0);
	if (ret == -EAGAIN)
		goto again;
	return ret;
}

/**
 * gntfb_ring_init() - grant the ring page, bind an event channel, publish
 * @drm: the device whose lifetime bounds the ring
 * @ring: the ring
 * @domid: the consumer's domain
 *
 * Return: 0 or a negative errno.
 */
int gntfb_ring_init(struct drm_device *drm, struct gntfb_ring *ring,
		    domid_t domid)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF,
		.remote_dom = domid,
	};
	struct evtchn_close close;
	unsigned long addr;
	int ret;

	spin_lock_init(&ring->lock);
	addr = get_zeroed_page(GFP_KERNEL);
	if (!addr)
		return -ENOMEM;
	ring->sring = (struct gntfb_ring_page *)addr;
	ring->sring->version = GNTFB_PROTOCOL_VERSION;
	ret = gnttab_grant_foreign_access(domid, virt_to_gfn(ring->sring), 0);
	if (ret < 0)
		goto free_page;
	ring->ref = ret;

	ret = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (ret)
		goto end_grant;
	ring->port = alloc.port;
	ret = bind_evtchn_to_irqhandler(ring->port, gntfb_ring_interrupt, 0,
					GNTFB_NAME, ring);
	if (ret < 0) {
		close.port = ring->port;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		goto end_grant;
	}
	ring->irq = ret;

	ret = drmm_add_action_or_reset(drm, gntfb_ring_fini, ring);
	if (ret)
		return ret;
	return gntfb_ring_publish(ring, domid);

end_grant:
	/* frees the page once unmapped: the ref was guessable */
	gnttab_end_foreign_access(ring->ref, virt_to_page(ring->sring));
	return ret;
free_page:
	free_page(addr);
	return ret;
}
