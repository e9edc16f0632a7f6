// SPDX-License-Identifier: GPL-2.0-only
#include "producer.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace bulkhead::input {
namespace {

template <typename T> T load_acquire(const T *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
template <typename T> void store_release(T *p, T v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

Result<void> check_name(const char *what, const std::string &s, size_t field, bool required)
{
	if (required && s.empty())
		return err(std::string("XKB ") + what + " is empty");
	if (s.size() >= field)
		return err(std::string("XKB ") + what + " longer than " + std::to_string(field - 1) +
			   " bytes");
	for (char c : s)
		if (c == '\0' ||
		    !(std::isalnum(static_cast<unsigned char>(c)) || strchr("_+,:()./-", c)))
			return err(std::string("XKB ") + what + " '" + s +
				   "': characters outside [A-Za-z0-9_+,:()./-]");
	return ok();
}

int32_t clamp_coord(int32_t v) { return std::clamp(v, -GNTINPUT_MAX_COORD, GNTINPUT_MAX_COORD); }

} // namespace

Result<void> validate_layout(const Layout &l)
{
	TRY(check_name("rules", l.rules, GNTINPUT_XKB_RULES_LEN, true));
	TRY(check_name("model", l.model, GNTINPUT_XKB_MODEL_LEN, false));
	TRY(check_name("layout", l.layout, GNTINPUT_XKB_LAYOUT_LEN, true));
	TRY(check_name("variant", l.variant, GNTINPUT_XKB_VARIANT_LEN, false));
	TRY(check_name("options", l.options, GNTINPUT_XKB_OPTIONS_LEN, false));
	return ok();
}

Producer::Producer(gntinput_page *page)
    : page_(page), prod_(load_acquire(&page->prod)), xkb_seq_(load_acquire(&page->xkb.seq))
{
	xkb_seq_ = (xkb_seq_ + 1) & ~1u; // even: no write in progress
}

Result<Producer> Producer::attach(std::span<std::byte> page)
{
	if (page.size() < GNTINPUT_PAGE_SIZE)
		return err("input page smaller than " + std::to_string(GNTINPUT_PAGE_SIZE) + " bytes");
	auto *p = reinterpret_cast<gntinput_page *>(page.data());
	uint32_t magic = load_acquire(&p->magic);
	uint16_t major = load_acquire(&p->version_major);
	if (magic != GNTINPUT_MAGIC)
		return err("input page has no gntinput magic");
	if (major != GNTINPUT_VERSION_MAJOR)
		return err("input page has protocol version " + std::to_string(major) + ", want " +
			   std::to_string(GNTINPUT_VERSION_MAJOR));
	Producer pr(p);
	uint32_t cons = load_acquire(&p->cons);
	if (pr.prod_ - cons > GNTINPUT_RING_SIZE)
		return err("input page indices are inconsistent (prod " + std::to_string(pr.prod_) +
			   ", cons " + std::to_string(cons) + ")");
	return pr;
}

void Producer::enqueue(gntinput_event e)
{
	bool release = (e.type == GNTINPUT_EV_KEY || e.type == GNTINPUT_EV_BUTTON) &&
		       !(e.flags & GNTINPUT_F_PRESS);
	if (over_limit() && !release) {
		if (e.type == GNTINPUT_EV_LAYOUT)
			layout_pending_ = true;
		else
			stats_.dropped++;
		return;
	}
	if (near_full() && !queue_.empty()) {
		gntinput_event &b = queue_.back();
		if (e.type == GNTINPUT_EV_MOTION && b.type == GNTINPUT_EV_MOTION) {
			b = e;
			stats_.coalesced++;
			return;
		}
		if (e.type == GNTINPUT_EV_SCROLL && b.type == GNTINPUT_EV_SCROLL &&
		    std::abs(b.x + e.x) <= GNTINPUT_MAX_SCROLL &&
		    std::abs(b.y + e.y) <= GNTINPUT_MAX_SCROLL && (b.x + e.x || b.y + e.y)) {
			b.x += e.x;
			b.y += e.y;
			stats_.coalesced++;
			return;
		}
	}
	queue_.push_back(e);
}

void Producer::key(uint32_t keycode, bool press)
{
	if (keycode < GNTINPUT_MIN_KEYCODE || keycode > GNTINPUT_MAX_KEYCODE)
		return;
	if (press) {
		if (over_limit())
			return void(stats_.dropped++);
		keys_.set(keycode);
	} else {
		// Only the release of a press this AppVM got: a key pressed
		// elsewhere is none of its business.
		if (!keys_.test(keycode))
			return;
		keys_.reset(keycode);
	}
	enqueue({GNTINPUT_EV_KEY, uint16_t(press ? GNTINPUT_F_PRESS : 0), keycode, 0, 0});
}

void Producer::button(uint32_t button, bool press, int32_t x, int32_t y)
{
	if (button < 1 || button > GNTINPUT_MAX_BUTTON || (button >= 4 && button <= 7))
		return;
	last_x_ = clamp_coord(x);
	last_y_ = clamp_coord(y);
	uint32_t bit = 1u << button;
	if (press) {
		if (over_limit())
			return void(stats_.dropped++);
		buttons_ |= bit;
	} else {
		if (!(buttons_ & bit))
			return;
		buttons_ &= ~bit;
	}
	enqueue({GNTINPUT_EV_BUTTON, uint16_t(press ? GNTINPUT_F_PRESS : 0), button, last_x_,
		 last_y_});
}

void Producer::motion(int32_t x, int32_t y)
{
	last_x_ = clamp_coord(x);
	last_y_ = clamp_coord(y);
	enqueue({GNTINPUT_EV_MOTION, 0, 0, last_x_, last_y_});
}

void Producer::scroll(int32_t dx, int32_t dy)
{
	dx = std::clamp<int32_t>(dx, -GNTINPUT_MAX_SCROLL, GNTINPUT_MAX_SCROLL);
	dy = std::clamp<int32_t>(dy, -GNTINPUT_MAX_SCROLL, GNTINPUT_MAX_SCROLL);
	if (!dx && !dy)
		return;
	enqueue({GNTINPUT_EV_SCROLL, 0, 0, dx, dy});
}

void Producer::crossing(bool enter, int32_t x, int32_t y)
{
	last_x_ = clamp_coord(x);
	last_y_ = clamp_coord(y);
	enqueue({GNTINPUT_EV_CROSSING, uint16_t(enter ? GNTINPUT_F_ENTER : 0), 0, last_x_,
		 last_y_});
}

void Producer::focus(bool in)
{
	enqueue({GNTINPUT_EV_FOCUS, uint16_t(in ? GNTINPUT_F_FOCUS : 0), 0, 0, 0});
}

Result<void> Producer::layout(const Layout &l)
{
	TRY(validate_layout(l));
	layout_ = l;
	enqueue({GNTINPUT_EV_LAYOUT, 0, 0, 0, 0});
	return ok();
}

void Producer::release_all()
{
	release_keys();
	release_buttons();
}

void Producer::release_keys()
{
	for (uint32_t k = GNTINPUT_MIN_KEYCODE; k <= GNTINPUT_MAX_KEYCODE; k++)
		if (keys_.test(k))
			key(k, false);
}

void Producer::release_buttons()
{
	for (uint32_t b = 1; b <= GNTINPUT_MAX_BUTTON; b++)
		if (buttons_ & (1u << b))
			button(b, false, last_x_, last_y_);
}

void Producer::write_layout(gntinput_event &e)
{
	gntinput_xkb *x = &page_->xkb;
	auto put = [](char *dst, size_t len, const std::string &s) {
		memset(dst, 0, len);
		memcpy(dst, s.data(), std::min(s.size(), len - 1));
	};
	// seqlock: odd while the names are being written.
	store_release(&x->seq, xkb_seq_ + 1);
	std::atomic_thread_fence(std::memory_order_seq_cst);
	put(x->rules, sizeof(x->rules), layout_.rules);
	put(x->model, sizeof(x->model), layout_.model);
	put(x->layout, sizeof(x->layout), layout_.layout);
	put(x->variant, sizeof(x->variant), layout_.variant);
	put(x->options, sizeof(x->options), layout_.options);
	xkb_seq_ += 2;
	store_release(&x->seq, xkb_seq_);
	e.detail = xkb_seq_;
}

Result<bool> Producer::flush()
{
	bool published = false;
	for (;;) {
		uint32_t cons = load_acquire(&page_->cons);
		uint32_t used = prod_ - cons;
		if (used > GNTINPUT_RING_SIZE)
			return err("the AppVM broke the input ring (prod " + std::to_string(prod_) +
				   ", cons " + std::to_string(cons) + ")");
		room_ = GNTINPUT_RING_SIZE - used;
		if (layout_pending_ && queue_.size() < kMaxQueue / 2) {
			layout_pending_ = false;
			queue_.push_back({GNTINPUT_EV_LAYOUT, 0, 0, 0, 0});
		}
		size_t n = std::min<size_t>(room_, queue_.size());
		for (size_t i = 0; i < n; i++) {
			gntinput_event e = queue_.front();
			queue_.pop_front();
			if (e.type == GNTINPUT_EV_LAYOUT)
				write_layout(e);
			memcpy(&page_->ring[prod_ % GNTINPUT_RING_SIZE], &e, sizeof(e));
			prod_++;
		}
		room_ -= n;
		if (n) {
			// The events are in place before the index that publishes them.
			store_release(&page_->prod, prod_);
			stats_.published += n;
			published = true;
		}
		if (queue_.empty())
			return published;
		// Full: ask the AppVM to notify when it consumed, then look again
		// in case it consumed before it could see the request.
		store_release(&page_->want_notify, 1u);
		std::atomic_thread_fence(std::memory_order_seq_cst);
		if (load_acquire(&page_->cons) == cons)
			return published;
	}
}

} // namespace bulkhead::input
