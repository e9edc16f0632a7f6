// SPDX-License-Identifier: GPL-2.0-only
#include "consumer.h"

#include <string.h>

/* Barriers between the indices and the events they publish (see uapi). */
#define load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

static int32_t clamp(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static bool coord_ok(int32_t v)
{
	return v >= -GNTINPUT_MAX_COORD && v <= GNTINPUT_MAX_COORD;
}

void gntinput_page_init(void *page)
{
	struct gntinput_page *p = page;

	memset(p, 0, sizeof(*p));
	p->magic = GNTINPUT_MAGIC;
	p->version_major = GNTINPUT_VERSION_MAJOR;
	p->version_minor = GNTINPUT_VERSION_MINOR;
}

void gntinput_consumer_init(struct gntinput_consumer *c, void *page, uint32_t width,
			    uint32_t height)
{
	memset(c, 0, sizeof(*c));
	c->page = page;
	c->cons = load_acquire(&c->page->cons);
	c->width = width ? width : 1;
	c->height = height ? height : 1;
}

static bool key_down(const struct gntinput_consumer *c, uint32_t k)
{
	return c->keys[k / 8] & (1u << (k % 8));
}

static void set_key(struct gntinput_consumer *c, uint32_t k, bool down)
{
	if (down)
		c->keys[k / 8] |= (uint8_t)(1u << (k % 8));
	else
		c->keys[k / 8] &= (uint8_t)~(1u << (k % 8));
}

static void clamp_xy(struct gntinput_consumer *c, struct gntinput_event *e)
{
	e->x = clamp(e->x, 0, (int32_t)c->width - 1);
	e->y = clamp(e->y, 0, (int32_t)c->height - 1);
	c->last_x = e->x;
	c->last_y = e->y;
}

/* Validates @e (a private copy) and applies it to the key/button state.
 * Returns false to drop it. */
static bool accept(struct gntinput_consumer *c, struct gntinput_event *e)
{
	bool press = e->flags & GNTINPUT_F_PRESS;

	switch (e->type) {
	case GNTINPUT_EV_KEY:
		if (e->flags & ~GNTINPUT_F_PRESS || e->x || e->y ||
		    e->detail < GNTINPUT_MIN_KEYCODE || e->detail > GNTINPUT_MAX_KEYCODE)
			break;
		if (!press && !key_down(c, e->detail)) {
			c->unbalanced++;
			return false;
		}
		set_key(c, e->detail, press);
		return true;
	case GNTINPUT_EV_BUTTON:
		if (e->flags & ~GNTINPUT_F_PRESS || e->detail < 1 ||
		    e->detail > GNTINPUT_MAX_BUTTON || (e->detail >= 4 && e->detail <= 7) ||
		    !coord_ok(e->x) || !coord_ok(e->y))
			break;
		if (!press && !(c->buttons & (1u << e->detail))) {
			c->unbalanced++;
			return false;
		}
		if (press)
			c->buttons |= 1u << e->detail;
		else
			c->buttons &= ~(1u << e->detail);
		clamp_xy(c, e);
		return true;
	case GNTINPUT_EV_MOTION:
		if (e->flags || e->detail || !coord_ok(e->x) || !coord_ok(e->y))
			break;
		clamp_xy(c, e);
		return true;
	case GNTINPUT_EV_SCROLL:
		if (e->flags || e->detail || e->x < -GNTINPUT_MAX_SCROLL ||
		    e->x > GNTINPUT_MAX_SCROLL || e->y < -GNTINPUT_MAX_SCROLL ||
		    e->y > GNTINPUT_MAX_SCROLL || (!e->x && !e->y))
			break;
		return true;
	case GNTINPUT_EV_CROSSING:
		if (e->flags & ~GNTINPUT_F_ENTER || e->detail || !coord_ok(e->x) ||
		    !coord_ok(e->y))
			break;
		clamp_xy(c, e);
		return true;
	case GNTINPUT_EV_FOCUS:
		if (e->flags & ~GNTINPUT_F_FOCUS || e->detail || e->x || e->y)
			break;
		return true;
	case GNTINPUT_EV_LAYOUT:
		if (e->flags || e->x || e->y || (e->detail & 1))
			break;
		return true;
	default:
		break;
	}
	c->invalid++;
	return false;
}

int gntinput_consumer_next(struct gntinput_consumer *c, struct gntinput_event *out)
{
	if (c->broken)
		return GNTINPUT_NEXT_BROKEN;
	for (;;) {
		uint32_t prod = load_acquire(&c->page->prod);

		if (prod - c->cons > GNTINPUT_RING_SIZE) {
			c->broken = true;
			return GNTINPUT_NEXT_BROKEN;
		}
		if (prod == c->cons)
			return GNTINPUT_NEXT_EMPTY;
		/* Copy out of shared memory first: the peer may change it. */
		memcpy(out, &c->page->ring[c->cons % GNTINPUT_RING_SIZE], sizeof(*out));
		c->cons++;
		if (accept(c, out)) {
			c->events++;
			return GNTINPUT_NEXT_EVENT;
		}
	}
}

bool gntinput_consumer_finish(struct gntinput_consumer *c)
{
	/* The events are copied out before the producer may reuse their slots. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	store_release(&c->page->cons, c->cons);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_acquire(&c->page->want_notify)) {
		store_release(&c->page->want_notify, 0);
		return true;
	}
	return false;
}

bool gntinput_xkb_name_valid(const char *s, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!ch)
			return true;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("_+,:()./-", ch)))
			return false;
	}
	return false; /* no NUL inside the field */
}

int gntinput_consumer_layout(struct gntinput_consumer *c, uint32_t seq,
			     struct gntinput_layout *out)
{
	struct gntinput_xkb *x = &c->page->xkb;
	uint32_t s1 = load_acquire(&x->seq), s2;

	if (s1 != seq || (s1 & 1))
		return -1;
	memcpy(out->rules, x->rules, sizeof(out->rules));
	memcpy(out->model, x->model, sizeof(out->model));
	memcpy(out->layout, x->layout, sizeof(out->layout));
	memcpy(out->variant, x->variant, sizeof(out->variant));
	memcpy(out->options, x->options, sizeof(out->options));
	/* The copies are complete before @seq is checked again. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = load_acquire(&x->seq);
	if (s2 != s1)
		return -1;
	if (!gntinput_xkb_name_valid(out->rules, sizeof(out->rules)) || !out->rules[0] ||
	    !gntinput_xkb_name_valid(out->model, sizeof(out->model)) ||
	    !gntinput_xkb_name_valid(out->layout, sizeof(out->layout)) || !out->layout[0] ||
	    !gntinput_xkb_name_valid(out->variant, sizeof(out->variant)) ||
	    !gntinput_xkb_name_valid(out->options, sizeof(out->options))) {
		c->invalid++;
		return -1;
	}
	return 0;
}

unsigned int gntinput_consumer_release_all(struct gntinput_consumer *c,
					   struct gntinput_event *out, unsigned int max)
{
	unsigned int n = 0, k;

	for (k = GNTINPUT_MIN_KEYCODE; k <= GNTINPUT_MAX_KEYCODE && n < max; k++) {
		if (!key_down(c, k))
			continue;
		set_key(c, k, false);
		out[n++] = (struct gntinput_event){ .type = GNTINPUT_EV_KEY, .detail = k };
	}
	for (k = 1; k <= GNTINPUT_MAX_BUTTON && n < max; k++) {
		if (!(c->buttons & (1u << k)))
			continue;
		c->buttons &= ~(1u << k);
		out[n++] = (struct gntinput_event){ .type = GNTINPUT_EV_BUTTON, .detail = k,
						    .x = c->last_x, .y = c->last_y };
	}
	return n;
}
