// SPDX-License-Identifier: GPL-2.0-only
// GuidClipboard: the dom0 half of the clipboard for one AppVM's guid
// (Documentation/clipboard.rst). It intercepts the copy and paste shortcuts
// on that AppVM's dom0 windows (they never reach the AppVM), asks the agent
// for its CLIPBOARD and stores the answer in the shared dom0 store, or
// checks the policy and sends the stored entry to the agent; and tells the
// user what happened (dom0 notification window, log, optional command).
//
// DOC: Security
// What the agent sends is checked for framing only: a reply must answer the
// one outstanding request, announce a size within the limit guid asked for,
// and its chunks must add up to exactly that size; anything else is a
// protocol violation that ends the connection. The bytes themselves are
// never interpreted in dom0: the receiving agent validates them (UTF-8,
// PNG structure). Only the user's shortcut starts a transfer either way.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <xcb/xcb.h>

#include "bulkhead/gui/clipboard.h"
#include "bulkhead/gui/protocol.h"
#include "bulkhead/result.h"
#include "clip_policy.h"
#include "clip_store.h"
#include "labels.h"
#include "shortcut.h"

namespace bulkhead::gui {

struct ClipboardConfig {
	bool enabled = true;
	std::string copy_key = "ctrl+shift+c";
	std::string paste_key = "ctrl+shift+v";
	std::string store_dir = "/run/bulkhead/clipboard";
	std::string policy_path = "/etc/bulkhead/clipboard.policy";
	uint32_t limit = kDefaultClipboardLimit; // bytes, 1..kMaxClipboardTotal
	bool one_shot = true;			 // clear the dom0 copy after a paste
	std::string notify_command;		 // run as CMD SUMMARY BODY (e.g. notify-send)
	uint32_t notify_seconds = 4;		 // dom0 notification window; 0: none
	// A copy the agent has not answered by then may be replaced by a new
	// Ctrl-Shift-C; the late answer is then read and dropped.
	std::chrono::milliseconds copy_timeout{10000};
};

// Parses the "key = value" clipboard file (keys as the options without
// "--clipboard-"): copy-key, paste-key, dir, policy, max-bytes, one-shot,
// notify-command, notify-seconds.
Result<void> parse_clipboard_config(std::string_view text, ClipboardConfig &cfg);
Result<void> load_clipboard_config(const std::string &path, ClipboardConfig &cfg);

class GuidClipboard {
public:
	using Sender = std::function<void(Dom0Body)>;
	static Result<std::unique_ptr<GuidClipboard>> create(ClipboardConfig cfg, std::string vm,
							     Label label, xcb_connection_t *conn,
							     xcb_screen_t *screen, Sender send);
	~GuidClipboard();

	// Key press or release on a dom0 window of this AppVM's guest window
	// `guest_window`. True if it was a clipboard shortcut (or the release
	// of one): the caller must not forward it to the AppVM.
	bool on_key(const xcb_key_press_event_t &e, uint32_t guest_window);
	// ClipboardReply, ClipboardChunk, PasteResult; error = protocol violation.
	Result<void> on_message(const GuestBody &b);
	void on_mapping_notify();
	// Notification windows expire: poll timeout (ms, -1 none) and tick().
	int timeout_ms() const;
	void tick();

	// For tests: the last message shown.
	const std::string &last_notice() const { return last_notice_; }

private:
	GuidClipboard(ClipboardConfig cfg, std::string vm, Label label, xcb_connection_t *conn,
		      xcb_screen_t *screen, Sender send);
	void load_keymap();
	void copy();
	void paste(uint32_t guest_window);
	void notify(const std::string &msg);
	xcb_atom_t atom(const char *name);

	ClipboardConfig cfg_;
	std::string vm_;
	Label label_;
	xcb_connection_t *conn_;
	xcb_screen_t *screen_;
	Sender send_;
	Shortcut copy_key_, paste_key_;
	Keymap keymap_;
	std::optional<ClipStore> store_;
	std::string store_error_;
	std::set<uint8_t> swallowed_; // keycodes whose press we took

	uint32_t next_id_ = 0;
	uint32_t pending_copy_ = 0;	  // request id awaiting a reply
	std::chrono::steady_clock::time_point copy_deadline_;
	ClipReassembly incoming_;	  // the copy's data
	uint32_t abandoned_ = 0;	  // a timed-out request whose reply may still come
	ClipReassembly draining_;	  // that reply's data, read and dropped
	std::map<uint32_t, std::string> pending_pastes_; // id -> what, awaiting a paste-result

	struct Notice {
		xcb_window_t win;
		xcb_pixmap_t pix;
		std::chrono::steady_clock::time_point expires;
	};
	std::vector<Notice> notices_;
	std::string last_notice_;
};

} // namespace bulkhead::gui
