// SPDX-License-Identifier: GPL-2.0-only OR MIT
// Stateful validation of a GUI conversation. decode_*() checks one message
// alone; a Session checks it against what came before: sequence numbers,
// hello/welcome first, window ids that exist (or do not, for create), the
// window limit, buffer ids and frame numbers that only go up, damage inside
// the announced buffer. Any error is a protocol violation: the caller drops
// the connection and logs the error text.
#pragma once

#include <cstdint>
#include <map>

#include "bulkhead/gui/protocol.h"

namespace bulkhead::gui {

// Sequence numbers: 1, 2, 3, ... per direction (wrapping past 2^32 - 1 to 0).
class SeqCounter {
public:
	uint32_t next() { return ++last_; }
	Result<void> check(uint32_t seq);

private:
	uint32_t last_ = 0;
};

// dom0's view of what a guest may send.
class GuestSession {
public:
	explicit GuestSession(uint32_t max_windows = kMaxWindows) : max_windows_(max_windows) {}

	// Validates and records. On error the session must not be used again.
	Result<void> accept(const GuestMessage &m);

	bool greeted() const { return greeted_; }
	size_t window_count() const { return windows_.size(); }
	bool has_window(uint32_t id) const { return windows_.count(id) != 0; }

	struct BufferState {
		uint32_t id, width, height;
	};
	struct WindowState {
		uint32_t w = 0, h = 0;
		uint32_t last_buffer = 0;
		uint64_t last_frame = 0;
		// Live buffers, oldest first; at most kMaxBuffersPerWindow.
		BufferState buffers[kMaxBuffersPerWindow] = {};
		uint32_t nbuffers = 0;
	};
	const WindowState *window(uint32_t id) const;

private:
	Result<void> accept_body(uint32_t window, const GuestBody &b);
	uint32_t max_windows_;
	bool greeted_ = false;
	SeqCounter seq_;
	std::map<uint32_t, WindowState> windows_;
};

// The agent's view of what dom0 may send: welcome first, sequence numbers.
// Window ids in dom0 messages may name windows the agent already destroyed
// (the messages crossed); the agent ignores those.
class Dom0Session {
public:
	Result<void> accept(const Dom0Message &m);
	bool welcomed() const { return welcomed_; }

private:
	bool welcomed_ = false;
	SeqCounter seq_;
};

} // namespace bulkhead::gui
