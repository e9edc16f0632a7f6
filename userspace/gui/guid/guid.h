// SPDX-License-Identifier: GPL-2.0-only
// Guid: dom0's side of one AppVM's GUI connection. It owns one X connection
// to the dom0 X server, the channel to the AppVM's agent, and a dom0 frame
// window per guest window. Everything the agent sends is validated
// (decode_guest + GuestSession, then the rules below); on the first
// violation run() returns the reason and the destructor removes every window
// of this AppVM. Other AppVMs are other Guid objects (other processes in
// production) and are not affected.
//
// DOC: Security
// A hostile agent can: create up to max_windows windows (each clamped to
// 16384x6144, override-redirect ones to 3/4 of the screen and fully on
// screen), import up to max_buffer_bytes of its own memory, have at most one
// frame per window in flight in the X server, and send titles that are shown
// prefixed with "[vmname] " and stripped of control and bidi characters. It
// cannot draw outside its content windows: the label-coloured frame is a
// dom0 window it has no handle on, and ShmPutImage is clipped by the server.
//
// Input (Documentation/input.rst): guid selects key events on its frames and
// pointer events on its content windows, so the dom0 X server's own delivery
// rules decide which AppVM gets what: keys go to the guid whose frame has
// the focus, pointer events to the one whose window is under the pointer
// (or holds the implicit grab). Guid forwards them into the AppVM's input
// ring, translated to the AppVM's screen, and releases every key and button
// it holds down in the AppVM when the focus leaves it. A key release for a
// press the AppVM never got is not forwarded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <xcb/shm.h>
#include <xcb/xcb.h>

#include "bulkhead/gui/channel.h"
#include "bulkhead/gui/protocol.h"
#include "bulkhead/gui/session.h"
#include "bulkhead/result.h"
#include "buffer_importer.h"
#include "clipboard.h"
#include "input_link.h"
#include "labels.h"

namespace bulkhead::gui {

struct GuidConfig {
	std::string vm_name; // [A-Za-z0-9_.-]{1,31}
	Label label;
	uint32_t domid = 0;
	std::string display; // empty: $DISPLAY
	uint32_t border = 3; // frame width in pixels, 1..32
	uint32_t max_windows = kMaxWindows;
	uint64_t max_buffer_bytes = 1ull << 30;
	bool verbose = false;
	ClipboardConfig clipboard;
};

Result<void> validate_vm_name(std::string_view name);

class Guid {
public:
	// `input` finds the AppVM's input ring (nullptr: no input).
	static Result<std::unique_ptr<Guid>> create(GuidConfig config, std::unique_ptr<Channel> channel,
						    std::unique_ptr<BufferImporter> importer,
						    std::unique_ptr<InputConnector> input = nullptr);
	~Guid();
	Guid(const Guid &) = delete;
	Guid &operator=(const Guid &) = delete;

	// Serves until the agent violates the protocol or goes away (the
	// error says why) or stop_fd becomes readable (ok). When stats_fd (a
	// signalfd, say) becomes readable, it is drained and stats_line() is
	// logged.
	Result<void> run(int stop_fd = -1, int stats_fd = -1);

	// What came over the channel so far: the evidence that pixels do not
	// (a redraw costs one damage message, whatever its size).
	struct Stats {
		uint64_t messages = 0, bytes = 0, largest = 0;
		uint64_t damages = 0, acks = 0, buffers = 0;
	};
	const Stats &stats() const { return stats_; }
	std::string stats_line() const;

	// For tests: the dom0 frame window of a guest window (0 if none).
	xcb_window_t frame_of(uint32_t guest_window) const;
	bool input_connected() const { return input_link_ != nullptr; }
	size_t window_count() const { return windows_.size(); }
	const GuidClipboard &clipboard() const { return *clipboard_; }

private:
	struct Buf {
		uint32_t id, width, height, stride;
		uint64_t bytes;
		xcb_shm_seg_t seg;
	};
	struct PendingAck {
		uint64_t frame;
		uint32_t buffer_id;
		uint64_t damage_ts, recv_ts;
		xcb_shm_seg_t seg;
	};
	struct Win {
		uint32_t id;
		xcb_window_t frame = 0, content = 0;
		int32_t x = 0, y = 0;	// guest's position of the content
		uint32_t w = 0, h = 0;	// content size (clamped)
		int32_t fx = 0, fy = 0; // frame position we asked for
		uint32_t fw = 0, fh = 0;
		uint16_t config_seq = 0; // X sequence of our last configure of frame
		bool override_redirect = false, mapped = false;
		std::vector<Buf> bufs; // oldest first
		std::optional<PendingAck> pending;
		std::string title;
	};

	Guid(GuidConfig config, std::unique_ptr<Channel> channel,
	     std::unique_ptr<BufferImporter> importer, std::unique_ptr<InputConnector> input);
	Result<void> init_x();
	Result<void> handle_channel();
	Result<void> handle_message(const GuestMessage &m);
	Result<void> handle_x();
	// Input: every dom0 X event that may go to the AppVM's input ring.
	// Returns true if `ev` was an input event (handled here).
	bool handle_input_event(const xcb_generic_event_t *ev);
	void on_key(const xcb_key_press_event_t *e, bool press);
	void on_button(const xcb_button_press_event_t *e, bool press);
	void on_pointer(xcb_window_t window, int16_t x, int16_t y, bool crossing, bool enter);
	void on_focus(bool in);
	void read_xkb_layout();
	Result<void> update_input_link();
	Result<void> flush_input();
	Result<void> send(uint32_t window, Dom0Body body);

	Result<void> on_create(uint32_t id, const Create &c);
	void on_configure(Win &w, int32_t x, int32_t y, uint32_t width, uint32_t height,
			  bool override_redirect);
	void on_map(Win &w, const Map &m);
	void on_destroy(uint32_t id);
	void on_title(Win &w, const std::string &utf8);
	void on_class(Win &w, const Class &c);
	void on_size_hints(Win &w, const SizeHints &h);
	void on_cursor(Win &w, uint32_t shape);
	void on_restack(Win &w, uint32_t above);
	Result<void> on_buffer(Win &w, const Buffer &b);
	Result<void> on_damage(Win &w, const Damage &d, uint64_t recv_ts);
	void put(Win &w, const Buf &b, const Rect &r, bool notify);
	void detach(const Buf &b);
	void place_frame(Win &w, bool move = true);
	Win *find(uint32_t id);
	Win *find_by_frame(xcb_window_t frame);
	Win *find_by_content(xcb_window_t content);
	xcb_atom_t atom(const char *name);

	GuidConfig cfg_;
	std::unique_ptr<Channel> channel_;
	std::unique_ptr<BufferImporter> importer_;
	GuestSession session_;
	SeqCounter out_seq_;
	std::optional<Error> send_error_;

	xcb_connection_t *conn_ = nullptr;
	xcb_screen_t *screen_ = nullptr;
	xcb_gcontext_t gc_ = 0;
	uint8_t shm_event_base_ = 0;
	uint32_t label_pixel_ = 0;
	xcb_font_t cursor_font_ = 0;
	std::map<uint32_t, xcb_cursor_t> cursors_;
	std::map<std::string, xcb_atom_t> atoms_;

	std::unique_ptr<InputConnector> input_;
	std::unique_ptr<InputLink> input_link_;
	std::optional<input::Layout> layout_;
	bool input_dirty_ = false;

	std::map<uint32_t, Win> windows_;
	// Each window's dom0 frame and content X ids -> its guest id: every
	// pointer and key event is looked up here (up to kMaxWindows windows).
	std::unordered_map<xcb_window_t, uint32_t> by_xid_;
	std::unique_ptr<GuidClipboard> clipboard_;
	uint64_t buffer_bytes_ = 0;
	Stats stats_;
	// handle_channel() stopped at its batch limit: more messages may be
	// waiting with no new wakeup coming (a vchan's event channel fires
	// once per notification, not while data is left), so look again.
	bool backlog_ = false;
};

} // namespace bulkhead::gui
