// SPDX-License-Identifier: GPL-2.0-only
// FrameRecord: what the agent knows of one acknowledged frame, written one
// line per frame by `bulkhead-agent --frame-log` for benchmarks (no X here).
#pragma once

#include <cstdint>
#include <string>

namespace bulkhead::gui {

struct FrameRecord {
	uint64_t ack_ns = 0;   // this domain's CLOCK_MONOTONIC when the ack arrived
	uint32_t window = 0;   // the guest's window id
	uint64_t frame = 0;    // the frame number
	uint32_t rects = 0;    // damage rectangles sent
	uint64_t pixels = 0;   // their total area (overlaps counted each time)
	uint64_t rtt_ns = 0;   // damage sent -> ack received (this domain's clock)
	uint64_t dom0_ns = 0;  // dom0's share: received -> X done (dom0's clock)
	uint64_t tx_bytes = 0; // bytes this agent sent on the channel so far
	uint64_t rx_bytes = 0; // bytes it received so far (transport framing included)
	friend bool operator==(const FrameRecord &, const FrameRecord &) = default;
};

// "ack_ns window frame rects pixels rtt_ns dom0_ns tx_bytes rx_bytes",
// decimal, one space between fields, no newline.
std::string format_frame_record(const FrameRecord &r);

} // namespace bulkhead::gui
