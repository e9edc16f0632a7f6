// SPDX-License-Identifier: GPL-2.0-only
// Agent: the AppVM side of the GUI. Redirects the guest's top-level windows
// (Composite, manual), tracks them and their Damage, and tells dom0 about
// them: metadata, the buffer each one lives in, and coalesced damage. At
// most one frame per window is in flight: the next one is sent after dom0's
// ack, with all damage that came meanwhile merged (at most
// kMaxDamageRects rectangles, else their bounding box), and at most once
// per frame interval. Pixels never go through the agent or the channel.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xcb/damage.h>
#include <xcb/xcb.h>
#include <xcb/xfixes.h>

#include "bulkhead/gui/channel.h"
#include "bulkhead/gui/protocol.h"
#include "bulkhead/gui/session.h"
#include "bulkhead/result.h"
#include "buffer_source.h"
#include "frame_record.h"
#include "clipboard.h"

namespace bulkhead::gui {

struct AgentConfig {
	std::string display; // empty: $DISPLAY
	std::chrono::microseconds frame_interval{16667};
	bool verbose = false;
	// Called on the agent's thread for every acknowledged frame (the
	// binary's --frame-log); empty: nothing.
	std::function<void(const FrameRecord &)> on_frame;
	AgentClipboardConfig clipboard;
};

using BufferSourceFactory =
	std::function<Result<std::unique_ptr<BufferSource>>(xcb_connection_t *)>;

class Agent {
public:
	static Result<std::unique_ptr<Agent>> create(AgentConfig config,
						     std::unique_ptr<Channel> channel,
						     BufferSourceFactory source);
	~Agent();
	Agent(const Agent &) = delete;
	Agent &operator=(const Agent &) = delete;

	// Serves until dom0 goes away or misbehaves (error) or stop_fd is
	// readable (ok).
	Result<void> run(int stop_fd = -1);

	// Latency of acknowledged frames (damage sent -> ack received, this
	// domain's clock) and dom0's share of it (received -> X done).
	struct Stats {
		uint64_t frames_sent = 0, frames_acked = 0;
		uint64_t last_rtt_ns = 0, max_rtt_ns = 0, sum_rtt_ns = 0;
		uint64_t last_dom0_ns = 0;
		// bytes on the channel, each direction, transport framing included
		uint64_t tx_bytes = 0, rx_bytes = 0;
	};
	Stats stats() const;

private:
	struct ABuf {
		uint32_t id;
		BufferDesc desc;
		xcb_pixmap_t pixmap; // held window pixmap, or 0
	};
	struct AWin {
		xcb_window_t id = 0;
		int32_t x = 0, y = 0;
		uint32_t w = 1, h = 1;
		bool override_redirect = false, mapped = false;
		xcb_window_t transient_for = 0;
		xcb_window_t above_sibling = 0; // X's, from the last ConfigureNotify
		std::optional<uint32_t> sent_above; // last Restack sent
		uint32_t cursor = kCursorDefault;
		xcb_damage_damage_t damage = 0;
		std::vector<ABuf> bufs; // oldest first; back() is current
		uint32_t next_buffer_id = 1;
		std::vector<Rect> pending;
		uint64_t frame = 0;
		std::optional<uint64_t> in_flight;
		uint32_t in_flight_rects = 0;
		uint64_t in_flight_pixels = 0;
	};

	Agent(AgentConfig config, std::unique_ptr<Channel> channel);
	Result<void> init_x(BufferSourceFactory &source);
	Result<void> send(uint32_t window, GuestBody body);
	Result<void> wait_welcome();
	Result<void> handle_channel();
	Result<void> handle_dom0(const Dom0Message &m);
	Result<void> handle_x();
	Result<void> flush_frames();
	bool frame_due() const;

	Result<void> add_window(xcb_window_t id, int32_t x, int32_t y, uint32_t w, uint32_t h,
				bool override_redirect, bool mapped);
	Result<void> remove_window(xcb_window_t id);
	Result<void> on_map(AWin &w);
	Result<void> refresh_buffer(AWin &w);
	Result<void> send_title(AWin &w);
	Result<void> send_class(AWin &w);
	Result<void> send_hints(AWin &w);
	void read_transient(AWin &w);
	Result<void> send_restack(AWin &w);
	void add_damage(AWin &w, const Rect &r);
	Result<void> on_cursor(xcb_atom_t name);
	void release_buffers_before(AWin &w, uint32_t id);
	AWin *find(xcb_window_t id);
	xcb_atom_t atom(const char *name);
	std::string get_string_property(xcb_window_t w, xcb_atom_t prop, size_t max,
					xcb_atom_t *type = nullptr);

	AgentConfig cfg_;
	std::unique_ptr<Channel> channel_;
	std::unique_ptr<BufferSource> source_;
	Dom0Session session_;
	SeqCounter out_seq_;

	xcb_connection_t *conn_ = nullptr;
	xcb_screen_t *screen_ = nullptr;
	uint8_t damage_event_base_ = 0;
	uint8_t xfixes_event_base_ = 0;
	xcb_xfixes_region_t region_ = 0;
	std::map<std::string, xcb_atom_t> atoms_;
	std::map<xcb_window_t, AWin> windows_;
	uint32_t max_windows_ = kMaxWindows; // dom0's, from welcome
	uint16_t dom0_minor_ = 0;	      // dom0's protocol minor, from welcome
	// handle_channel() stopped at its batch limit: look again without
	// waiting (a vchan's event fires per notification, not while data is left)
	bool backlog_ = false;
	std::chrono::steady_clock::time_point last_flush_{};
	std::unique_ptr<AgentClipboard> clipboard_;

	std::atomic<uint64_t> frames_sent_{0}, frames_acked_{0}, last_rtt_{0}, max_rtt_{0},
		sum_rtt_{0}, last_dom0_{0}, tx_bytes_{0}, rx_bytes_{0};
};

} // namespace bulkhead::gui
