// SPDX-License-Identifier: GPL-2.0-only
// gntinput producer: dom0's side of an AppVM's input ring
// (uapi/gntinput.h), used by bulkhead-guid. No X header, no I/O: the caller
// maps the page, notifies the event channel when flush() says so, and calls
// flush() again when the AppVM notifies back.
//
// Ordering: events are published in the order they were queued. When the
// ring is full they wait in a private queue; while they wait, consecutive
// motions merge into the latest one and consecutive scrolls add up (motion
// is coalesced first, nothing else is). Past kMaxQueue waiting events (an
// AppVM that does not consume), new motion, scroll, crossing, focus and
// presses are dropped, so the queue stays bounded; releases are never
// dropped: a release is queued exactly when its press was, so the AppVM
// never keeps a key or button down that dom0 released.
//
// DOC: Security
// The AppVM owns the page and may write anything into it. The producer
// reads only @cons (and @magic/@version at attach): a @cons that claims
// more room than the ring has is an error for this AppVM only; slots are
// always indexed modulo the ring size, so no write leaves the page.
#pragma once

#include <bitset>
#include <cstdint>
#include <deque>
#include <span>
#include <string>

#include "bulkhead/result.h"
#include "xorg-drivers/gntinput/uapi/gntinput.h"

namespace bulkhead::input {

// XKB RMLVO names as dom0's X server reports them (_XKB_RULES_NAMES).
struct Layout {
	std::string rules, model, layout, variant, options;
	friend bool operator==(const Layout &, const Layout &) = default;
};

// Checks lengths and the character set of every name (rules and layout
// non-empty).
Result<void> validate_layout(const Layout &l);

class Producer {
public:
	static constexpr size_t kMaxQueue = 65536; // 1 MiB per AppVM

	// Attaches to a mapped page (GNTINPUT_PAGE_SIZE bytes) that the AppVM
	// initialised: checks the magic and the major version, and continues
	// from the page's indices (a restarted guid).
	static Result<Producer> attach(std::span<std::byte> page);

	void key(uint32_t keycode, bool press);
	void button(uint32_t button, bool press, int32_t x, int32_t y);
	void motion(int32_t x, int32_t y);
	void scroll(int32_t dx, int32_t dy);
	void crossing(bool enter, int32_t x, int32_t y);
	void focus(bool in);
	Result<void> layout(const Layout &l);
	// Releases every key and button this AppVM holds down (focus lost).
	void release_all();
	// Releases the buttons only (another client grabbed the pointer).
	void release_buttons();
	// Releases the keys only (dom0 took a shortcut: the modifiers held
	// for it must not modify what the AppVM gets next).
	void release_keys();

	// Publishes queued events into the ring. True if any was published
	// (notify the AppVM). An error means the AppVM broke the ring.
	Result<bool> flush();

	size_t queued() const { return queue_.size(); }
	bool key_down(uint32_t keycode) const { return keycode < 256 && keys_.test(keycode); }
	size_t keys_down() const { return keys_.count(); }
	uint32_t buttons_down() const { return buttons_; }

	struct Stats {
		uint64_t published = 0, coalesced = 0, dropped = 0;
	};
	const Stats &stats() const { return stats_; }

private:
	explicit Producer(gntinput_page *page);
	void enqueue(gntinput_event e);
	bool over_limit() const { return queue_.size() >= kMaxQueue; }
	bool near_full() const { return !queue_.empty() && queue_.size() >= room_; }
	void write_layout(gntinput_event &e);

	gntinput_page *page_;
	uint32_t prod_;
	size_t room_ = GNTINPUT_RING_SIZE; // free slots after the last flush
	std::deque<gntinput_event> queue_;
	std::bitset<256> keys_;
	uint32_t buttons_ = 0;
	int32_t last_x_ = 0, last_y_ = 0;
	Layout layout_;
	bool layout_pending_ = false;
	uint32_t xkb_seq_;
	Stats stats_;
};

} // namespace bulkhead::input
