// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/xen/frame.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace bulkhead::xen;

namespace {

std::vector<std::byte> frame(uint32_t type, const std::string &payload)
{
	auto h = encode_frame_header(type, static_cast<uint32_t>(payload.size()));
	std::vector<std::byte> v(h.begin(), h.end());
	for (char c : payload)
		v.push_back(static_cast<std::byte>(c));
	return v;
}

std::vector<std::byte> raw_header(uint32_t type, uint32_t len)
{
	auto h = encode_frame_header(type, len);
	return {h.begin(), h.end()};
}

// Feeds `in` in chunks of at most `chunk`, never more than the decoder
// offers; collects messages; stops at the first error.
struct Fed {
	std::vector<Message> msgs;
	std::optional<std::string> error;
	size_t consumed = 0;
};

Fed feed(FrameDecoder &d, const std::vector<std::byte> &in, size_t chunk)
{
	Fed f;
	while (f.consumed < in.size()) {
		auto buf = d.next_buffer();
		size_t n = std::min({buf.size(), chunk, in.size() - f.consumed});
		if (n == 0 && buf.empty()) {
			f.error = "decoder offered no buffer";
			break;
		}
		std::memcpy(buf.data(), in.data() + f.consumed, n);
		f.consumed += n;
		auto r = d.advance(n);
		if (!r) {
			f.error = r.error().message;
			break;
		}
		if (*r)
			f.msgs.push_back(std::move(**r));
	}
	return f;
}

std::string str(const Message &m)
{
	return std::string(reinterpret_cast<const char *>(m.payload.data()), m.payload.size());
}

TEST(FrameHeader, LittleEndianLayout)
{
	auto h = encode_frame_header(0x01020304, 0x0a0b0c0d);
	const uint8_t want[] = {4, 3, 2, 1, 0x0d, 0x0c, 0x0b, 0x0a};
	EXPECT_EQ(std::memcmp(h.data(), want, 8), 0);
}

TEST(FrameDecoder, RoundTripManyChunkings)
{
	std::vector<std::byte> in;
	for (int i = 0; i < 50; i++) {
		auto f = frame(i, std::string(static_cast<size_t>(i * 7), static_cast<char>('a' + i % 26)));
		in.insert(in.end(), f.begin(), f.end());
	}
	for (size_t chunk : {1, 2, 3, 7, 8, 9, 64, 4096}) {
		FrameDecoder d(1024);
		auto f = feed(d, in, chunk);
		ASSERT_FALSE(f.error) << *f.error;
		ASSERT_EQ(f.msgs.size(), 50u) << "chunk " << chunk;
		for (int i = 0; i < 50; i++) {
			EXPECT_EQ(f.msgs[i].type, static_cast<uint32_t>(i));
			EXPECT_EQ(str(f.msgs[i]),
				  std::string(static_cast<size_t>(i * 7), static_cast<char>('a' + i % 26)));
		}
		EXPECT_TRUE(d.at_boundary());
		EXPECT_TRUE(d.finish().ok());
	}
}

TEST(FrameDecoder, ZeroLengthPayload)
{
	FrameDecoder d(16);
	auto f = feed(d, frame(7, ""), 100);
	ASSERT_EQ(f.msgs.size(), 1u);
	EXPECT_EQ(f.msgs[0].type, 7u);
	EXPECT_TRUE(f.msgs[0].payload.empty());
}

TEST(FrameDecoder, MaxLengthAcceptedOneMoreRejected)
{
	FrameDecoder ok_d(16);
	EXPECT_EQ(feed(ok_d, frame(1, std::string(16, 'x')), 100).msgs.size(), 1u);

	FrameDecoder d(16);
	auto f = feed(d, frame(1, std::string(17, 'x')), 100);
	ASSERT_TRUE(f.error);
	EXPECT_NE(f.error->find("17"), std::string::npos) << *f.error;
	EXPECT_NE(f.error->find("exceeds"), std::string::npos) << *f.error;
	EXPECT_TRUE(d.dead());
	// Only the header was consumed: nothing of the oversized payload.
	EXPECT_EQ(f.consumed, kFrameHeaderSize);
}

TEST(FrameDecoder, GarbageLengthKillsForGood)
{
	FrameDecoder d(1 << 20);
	auto f = feed(d, raw_header(0xdeadbeef, 0xffffffff), 8);
	ASSERT_TRUE(f.error);
	EXPECT_TRUE(d.dead());
	EXPECT_TRUE(d.next_buffer().empty());
	EXPECT_FALSE(d.advance(0).ok());
	// A valid frame after garbage is not accepted: no resynchronisation.
	EXPECT_FALSE(d.finish().ok());
}

TEST(FrameDecoder, MaxPayloadClampedToHardCeiling)
{
	FrameDecoder d(UINT32_MAX);
	EXPECT_EQ(d.max_payload(), kMaxFramePayload);
	auto f = feed(d, raw_header(1, kMaxFramePayload + 1), 8);
	EXPECT_TRUE(f.error);
}

TEST(FrameDecoder, TruncatedHeaderAndPayload)
{
	{
		FrameDecoder d(64);
		auto in = frame(3, "hello");
		in.resize(5);
		feed(d, in, 1);
		auto r = d.finish();
		ASSERT_FALSE(r.ok());
		EXPECT_NE(r.error().message.find("truncated inside a header"), std::string::npos);
	}
	{
		FrameDecoder d(64);
		auto in = frame(3, "hello");
		in.resize(10);
		feed(d, in, 3);
		auto r = d.finish();
		ASSERT_FALSE(r.ok());
		EXPECT_NE(r.error().message.find("2 of 5"), std::string::npos) << r.error().message;
	}
}

TEST(FrameDecoder, NeverOffersMoreThanTheCurrentFrame)
{
	FrameDecoder d(64);
	EXPECT_EQ(d.next_buffer().size(), kFrameHeaderSize);
	auto h = raw_header(1, 5);
	auto buf = d.next_buffer();
	std::memcpy(buf.data(), h.data(), 3);
	ASSERT_TRUE(d.advance(3).ok());
	EXPECT_EQ(d.next_buffer().size(), 5u);
	buf = d.next_buffer();
	std::memcpy(buf.data(), h.data() + 3, 5);
	ASSERT_TRUE(d.advance(5).ok());
	EXPECT_EQ(d.next_buffer().size(), 5u); // payload only, not the next header
	EXPECT_FALSE(d.advance(6).ok());       // a transport overrun is caught
	EXPECT_TRUE(d.dead());
}

} // namespace
