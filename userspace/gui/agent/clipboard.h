// SPDX-License-Identifier: GPL-2.0-only
// AgentClipboard: the AppVM half of the clipboard (Documentation/clipboard.rst).
//
// Copy (dom0's clipboard-request): converts the CLIPBOARD selection of this
// AppVM's X server with the ICCCM selection transfer (TARGETS, then
// UTF8_STRING, image/png or STRING; INCR transfers are followed up to the
// size dom0 asked for, and abandoned beyond it) and answers with the bytes
// in chunks, or with empty / too large / unavailable. A 5 s deadline covers
// an owner that never answers.
//
// Paste (dom0's clipboard-paste + paste-chunk): reassembles the announced
// size, validates the bytes (strict UTF-8, or PNG structure), owns
// CLIPBOARD with them, serves SelectionRequest (TARGETS, TIMESTAMP and the
// data's types; no INCR: data over the server's maximum request is refused
// to the requestor), focuses the target window and emulates the paste key
// (Ctrl-V by default) with XTest. The outcome goes back as paste-result.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <xcb/xcb.h>

#include "bulkhead/gui/clipboard.h"
#include "bulkhead/gui/protocol.h"
#include "bulkhead/result.h"

namespace bulkhead::gui {

struct AgentClipboardConfig {
	// Keys sent with XTest after a paste: modifiers (ctrl, shift, alt) and
	// one key, as bulkhead-guid's shortcuts; empty: none (the user pastes).
	std::string paste_keys = "ctrl+v";
	std::chrono::milliseconds timeout{5000};
};

class AgentClipboard {
public:
	using Sender = std::function<Result<void>(GuestBody)>;
	static Result<std::unique_ptr<AgentClipboard>> create(AgentClipboardConfig cfg,
							      xcb_connection_t *conn,
							      xcb_screen_t *screen, Sender send);
	~AgentClipboard();

	// Events of the clipboard's own window and selections; true if taken.
	Result<bool> on_x_event(const xcb_generic_event_t *ev);
	// ClipboardRequest, ClipboardPaste, PasteChunk; error: dom0 violated the protocol.
	Result<void> on_message(const Dom0Body &b);
	int timeout_ms() const; // -1: nothing pending
	Result<void> tick();

private:
	AgentClipboard(AgentClipboardConfig cfg, xcb_connection_t *conn, xcb_screen_t *screen,
		       Sender send);
	Result<void> start_copy(const ClipboardRequest &r);
	Result<void> finish_copy(ClipStatus st, uint32_t format = 0, uint32_t size = 0);
	Result<void> send_data(uint32_t format, std::string data);
	Result<void> on_selection_notify(const xcb_selection_notify_event_t &e);
	Result<void> on_property(const xcb_property_notify_event_t &e);
	Result<void> paste_ready();
	void serve(const xcb_selection_request_event_t &e);
	bool send_keys(xcb_window_t target);
	xcb_atom_t atom(const char *name);

	AgentClipboardConfig cfg_;
	xcb_connection_t *conn_;
	xcb_screen_t *screen_;
	Sender send_;
	xcb_window_t win_ = 0;
	xcb_atom_t clipboard_ = 0, targets_ = 0, utf8_ = 0, png_ = 0, incr_ = 0, prop_ = 0,
		   timestamp_ = 0, text_ = 0, mime_text_ = 0, multiple_ = 0;

	// Copy in progress.
	enum class Copy { kIdle, kTargets, kData, kIncr } copy_ = Copy::kIdle;
	uint32_t copy_id_ = 0, copy_max_ = 0, copy_format_ = 0;
	xcb_atom_t copy_target_ = 0;
	std::string copy_data_;
	std::chrono::steady_clock::time_point deadline_;

	// Paste: incoming, then what we own.
	ClipReassembly incoming_;
	uint32_t paste_target_ = 0;
	bool owning_ = false;
	uint32_t own_format_ = 0;
	std::string own_data_;
	xcb_timestamp_t own_time_ = XCB_CURRENT_TIME;
};

} // namespace bulkhead::gui
