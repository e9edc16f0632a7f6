// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/xen/frame.h"

#include <cassert>
#include <cstring>
#include <string>

namespace bulkhead::xen {

namespace {

void put_le32(std::byte *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = static_cast<std::byte>(v >> (8 * i));
}

uint32_t get_le32(const std::byte *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= static_cast<uint32_t>(p[i]) << (8 * i);
	return v;
}

} // namespace

std::array<std::byte, kFrameHeaderSize> encode_frame_header(uint32_t type, uint32_t length)
{
	std::array<std::byte, kFrameHeaderSize> h;
	put_le32(h.data(), type);
	put_le32(h.data() + 4, length);
	return h;
}

FrameDecoder::FrameDecoder(uint32_t max_payload)
    : max_payload_(max_payload > kMaxFramePayload ? kMaxFramePayload : max_payload)
{
}

std::span<std::byte> FrameDecoder::next_buffer()
{
	if (dead_)
		return {};
	if (!in_payload_)
		return std::span<std::byte>(header_).subspan(header_got_);
	return std::span<std::byte>(current_.payload).subspan(payload_got_);
}

Result<std::optional<Message>> FrameDecoder::advance(size_t n)
{
	if (dead_)
		return err("frame decoder: used after a protocol error");
	if (n > next_buffer().size()) {
		// Our own bug (the transport wrote past what we offered).
		dead_ = true;
		return err("frame decoder: advance past the offered buffer");
	}
	if (!in_payload_) {
		header_got_ += n;
		if (header_got_ < kFrameHeaderSize)
			return std::optional<Message>();
		uint32_t type = get_le32(header_.data());
		uint32_t len = get_le32(header_.data() + 4);
		header_got_ = 0;
		if (len > max_payload_) {
			dead_ = true;
			return err("frame: payload length " + std::to_string(len) + " of type " +
				   std::to_string(type) + " exceeds the channel maximum " +
				   std::to_string(max_payload_));
		}
		current_.type = type;
		current_.payload.assign(len, std::byte{0});
		payload_got_ = 0;
		in_payload_ = true;
		n = 0;
	}
	payload_got_ += n;
	if (payload_got_ < current_.payload.size())
		return std::optional<Message>();
	in_payload_ = false;
	payload_got_ = 0;
	Message m = std::move(current_);
	current_ = Message();
	return std::optional<Message>(std::move(m));
}

Result<void> FrameDecoder::finish() const
{
	if (dead_)
		return err("frame decoder: stream ended after a protocol error");
	if (in_payload_)
		return err("frame: stream truncated inside a payload (" + std::to_string(payload_got_) +
			   " of " + std::to_string(current_.payload.size()) + " bytes)");
	if (header_got_ != 0)
		return err("frame: stream truncated inside a header (" + std::to_string(header_got_) +
			   " of " + std::to_string(kFrameHeaderSize) + " bytes)");
	return ok();
}

} // namespace bulkhead::xen
