/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gntinput consumer: the AppVM side of the input ring (uapi/gntinput.h).
 * Plain C, no X server header: the Xorg driver (src/gntinput_driver.c) is a
 * thin shim over it, and consumer_test.cc / consumer_fuzzer.cc drive it with
 * hostile pages.
 *
 * DOC: Security
 * The producer (dom0's guid) is trusted by the AppVM in practice, but the
 * page is shared memory and is read as if a hostile peer wrote it: every
 * event is copied out of the page before it is looked at, every field is
 * checked (keycode 8..255, button 1..12 but not 4..7, coordinates within
 * +-32767 and then clamped to the screen, no unknown type or flag bit,
 * unused fields zero), and an index that claims more than the ring holds
 * marks the ring broken: nothing more is read from it. Releases of keys or
 * buttons that are not down are dropped, so the X server never sees an
 * unbalanced release; the consumer remembers what is down so that it can
 * release everything on focus loss or shutdown.
 */
#ifndef GNTINPUT_CONSUMER_H
#define GNTINPUT_CONSUMER_H

#include <stdbool.h>
#include <stdint.h>

#include "xorg-drivers/gntinput/uapi/gntinput.h"

#ifdef __cplusplus
extern "C" {
#endif

struct gntinput_consumer {
	struct gntinput_page *page; /* shared with the producer */
	uint32_t cons;		    /* private copy of the consumer index */
	uint32_t width, height;	    /* screen size, for clamping */
	bool broken;
	uint8_t keys[32];	    /* bitmap of keycodes down */
	uint32_t buttons;	    /* bit n: button n down */
	int32_t last_x, last_y;
	uint64_t events, invalid, unbalanced;
};

/* What gntinput_consumer_next() returns. */
enum gntinput_next {
	GNTINPUT_NEXT_BROKEN = -1, /* the producer's index is impossible */
	GNTINPUT_NEXT_EMPTY = 0,
	GNTINPUT_NEXT_EVENT = 1,
};

/* A validated XKB layout (NUL-terminated copies). */
struct gntinput_layout {
	char rules[GNTINPUT_XKB_RULES_LEN];
	char model[GNTINPUT_XKB_MODEL_LEN];
	char layout[GNTINPUT_XKB_LAYOUT_LEN];
	char variant[GNTINPUT_XKB_VARIANT_LEN];
	char options[GNTINPUT_XKB_OPTIONS_LEN];
};

/* Zeroes a fresh page and writes its magic and version (before granting). */
void gntinput_page_init(void *page);

/* Starts consuming @page for a screen of @width x @height pixels. */
void gntinput_consumer_init(struct gntinput_consumer *c, void *page, uint32_t width,
			    uint32_t height);

/*
 * Takes the next valid event into @out (invalid ones are skipped and
 * counted in @invalid, unbalanced releases in @unbalanced). Coordinates
 * are clamped to the screen. Does not publish the new consumer index:
 * call gntinput_consumer_finish() after a batch.
 */
int gntinput_consumer_next(struct gntinput_consumer *c, struct gntinput_event *out);

/*
 * Publishes the consumer index. Returns true when the producer asked to be
 * notified (it has events waiting for room): the caller notifies the event
 * channel.
 */
bool gntinput_consumer_finish(struct gntinput_consumer *c);

/*
 * Copies and validates the layout block for a LAYOUT event carrying @seq.
 * Returns 0, or -1 when the block is being rewritten or no longer @seq (a
 * newer LAYOUT event follows) or its names are not valid.
 */
int gntinput_consumer_layout(struct gntinput_consumer *c, uint32_t seq,
			     struct gntinput_layout *out);

/*
 * Release events for everything still down (keys, then buttons), at most
 * @max of them into @out; forgets them. Returns the count.
 */
unsigned int gntinput_consumer_release_all(struct gntinput_consumer *c,
					   struct gntinput_event *out, unsigned int max);

/* True if @s (at most @len bytes with its NUL) is a valid XKB name list. */
bool gntinput_xkb_name_valid(const char *s, unsigned int len);

#ifdef __cplusplus
}
#endif

#endif /* GNTINPUT_CONSUMER_H */
