// SPDX-License-Identifier: GPL-2.0-only OR MIT
// Frame format of the Bulkhead message channel (both ends, any language):
//
//   offset 0  u32 type     little-endian, any value, meaning is the protocol's
//   offset 4  u32 length   little-endian, payload bytes that follow
//   offset 8  payload[length]
//
// Each channel has a maximum payload size agreed by both ends out of band.
// A frame whose length exceeds it is a protocol violation: the receiver
// reports an error and the connection is dead (never resynchronised: after
// a bad header nothing that follows can be trusted to be a frame boundary).
// A stream that ends inside a frame (truncated) is an error too.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bulkhead/result.h"

namespace bulkhead::xen {

constexpr size_t kFrameHeaderSize = 8;
// Hard ceiling on any channel's max payload (64 MiB).
constexpr uint32_t kMaxFramePayload = 64u << 20;

struct Message {
	uint32_t type = 0;
	std::vector<std::byte> payload;
};

std::array<std::byte, kFrameHeaderSize> encode_frame_header(uint32_t type, uint32_t length);

// Incremental, allocation-bounded decoder. The caller reads from its
// transport into next_buffer() (sized to exactly what the current frame still
// needs, so no read ever consumes bytes of the following frame), then calls
// advance() with the count actually read. Once an error is returned the
// decoder is dead and stays dead.
class FrameDecoder {
public:
	explicit FrameDecoder(uint32_t max_payload);

	std::span<std::byte> next_buffer();
	// n <= next_buffer().size(). A complete frame is returned as a Message.
	Result<std::optional<Message>> advance(size_t n);
	// The stream ended (peer closed): fine at a frame boundary, an error
	// ("truncated") inside a frame.
	Result<void> finish() const;

	bool dead() const { return dead_; }
	bool at_boundary() const { return !in_payload_ && header_got_ == 0; }
	uint32_t max_payload() const { return max_payload_; }

private:
	uint32_t max_payload_;
	std::array<std::byte, kFrameHeaderSize> header_{};
	size_t header_got_ = 0;
	bool in_payload_ = false;
	Message current_;
	size_t payload_got_ = 0;
	bool dead_ = false;
};

} // namespace bulkhead::xen
