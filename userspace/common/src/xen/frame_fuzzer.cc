// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for the frame decoder, fed as a hostile peer would: the
// first input bytes choose the channel maximum and the read chunking, the
// rest is the byte stream. Checks the decoder's contract, not just crashes:
// it never offers more than the current frame needs, it never returns a
// payload over the maximum, and once dead it stays dead.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "bulkhead/xen/fakes.h"
#include "bulkhead/xen/frame.h"
#include "bulkhead/xen/message_channel.h"

using namespace bulkhead::xen;

static void check(bool cond)
{
	if (!cond)
		abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	uint32_t max = (static_cast<uint32_t>(data[0]) << 8 | data[1]) % 8192;
	size_t chunk = data[2] % 17 + 1;
	data += 3;
	size -= 3;

	// 1. The decoder alone.
	FrameDecoder d(max);
	size_t pos = 0;
	while (pos < size) {
		auto buf = d.next_buffer();
		if (d.dead()) {
			check(buf.empty());
			check(!d.advance(0).ok());
			break;
		}
		check(!buf.empty());
		check(buf.size() <= kFrameHeaderSize || buf.size() <= max);
		size_t n = std::min({buf.size(), chunk, size - pos});
		std::memcpy(buf.data(), data + pos, n);
		pos += n;
		auto r = d.advance(n);
		if (!r.ok()) {
			check(d.dead());
			break;
		}
		if (*r)
			check((*r)->payload.size() <= max);
	}
	(void)d.finish();

	// 2. The same stream through a MessageChannel with short reads.
	auto [tx, rx] = fake::make_transport_pair({.capacity = 1 << 20, .max_read_chunk = chunk});
	tx->inject(std::span<const std::byte>(reinterpret_cast<const std::byte *>(data), size));
	tx->close();
	MessageChannel ch(std::move(rx), {.max_message = max});
	for (;;) {
		auto m = ch.receive();
		if (!m.ok()) {
			check(ch.dead());
			break;
		}
		check(m->has_value());
		check((*m)->payload.size() <= max);
	}
	return 0;
}
