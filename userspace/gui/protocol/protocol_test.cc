// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/gui/protocol.h"

#include <gtest/gtest.h>

namespace bulkhead::gui {
namespace {

void put32(std::vector<uint8_t> &b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[off + i] = uint8_t(v >> (8 * i));
}

std::vector<GuestBody> sample_guest()
{
	Damage d;
	d.buffer_id = 3;
	d.frame = 7;
	d.timestamp_ns = 0x1122334455667788ull;
	d.rects = {{0, 0, 10, 10}, {5, 6, 7, 8}};
	return {Hello{1, 0, 1920, 1080},
		Create{-5, 10, 300, 200, 0, true},
		Map{4, false},
		Unmap{},
		Configure{1, 2, 3, 4, false},
		Destroy{},
		Title{"h\xc3\xa9llo"},
		Class{"xterm", "XTerm"},
		SizeHints{kHintMinSize | kHintMaxSize, 10, 10, 100, 100, 0, 0, 0, 0},
		Cursor{68},
		Buffer{1, 300, 200, 1200, kFormatXRGB8888, 42},
		d,
		ClipboardReply{3, ClipStatus::kData, kClipText, 5},
		ClipboardChunk{3, "hello"},
		PasteResult{4, PasteStatus::kBadImage},
		Restack{3}};
}

uint32_t window_for(const GuestBody &b)
{
	return std::holds_alternative<Hello>(b) || std::holds_alternative<ClipboardReply>(b) ||
			       std::holds_alternative<ClipboardChunk>(b) ||
			       std::holds_alternative<PasteResult>(b)
		       ? 0
		       : 9;
}

TEST(Protocol, GuestRoundTrip)
{
	for (const GuestBody &b : sample_guest()) {
		auto bytes = encode(window_for(b), 5, b);
		auto m = decode_guest(bytes);
		ASSERT_TRUE(m.ok()) << msg_type_name(type_of(b)) << ": " << m.error().message;
		EXPECT_EQ(m->seq, 5u);
		EXPECT_EQ(m->window, window_for(b));
		EXPECT_TRUE(m->body == b) << msg_type_name(type_of(b));
		// Every type refused the other way.
		EXPECT_FALSE(decode_dom0(bytes).ok());
	}
}

TEST(Protocol, Dom0RoundTrip)
{
	std::vector<Dom0Body> all = {Welcome{1, 0, 1024, 768, 512},
				     Ack{9, 2, 100, 200, 300},
				     ConfigureRequest{-3, 4, 50, 60},
				     CloseRequest{},
				     Focus{true},
				     ClipboardRequest{1, 4096},
				     ClipboardPaste{2, kClipPng, 100, 7},
				     PasteChunk{2, std::string(100, 'x')}};
	for (const Dom0Body &b : all) {
		bool conn = std::holds_alternative<Welcome>(b) ||
			    std::holds_alternative<ClipboardRequest>(b) ||
			    std::holds_alternative<ClipboardPaste>(b) ||
			    std::holds_alternative<PasteChunk>(b);
		auto bytes = encode(conn ? 0 : 3, 1, b);
		auto m = decode_dom0(bytes);
		ASSERT_TRUE(m.ok()) << m.error().message;
		EXPECT_TRUE(m->body == b);
		EXPECT_FALSE(decode_guest(bytes).ok());
	}
}

TEST(Protocol, HeaderIsLittleEndian)
{
	auto b = encode(0x01020304, 0x0a0b0c0d, GuestBody(Unmap{}));
	ASSERT_EQ(b.size(), kHeaderSize);
	EXPECT_EQ(b[0], 0x04);
	EXPECT_EQ(b[4], 0);
	EXPECT_EQ(b[8], 0x04);
	EXPECT_EQ(b[11], 0x01);
	EXPECT_EQ(b[12], 0x0d);
}

TEST(Protocol, RestackAboveItselfRefused)
{
	EXPECT_FALSE(decode_guest(encode(7, 1, GuestBody(Restack{7}))).ok());
	EXPECT_TRUE(decode_guest(encode(7, 1, GuestBody(Restack{0}))).ok());
}

TEST(Protocol, EveryTruncationRefused)
{
	for (const GuestBody &b : sample_guest()) {
		auto bytes = encode(window_for(b), 1, b);
		for (size_t n = 0; n < bytes.size(); n++)
			EXPECT_FALSE(decode_guest(std::span(bytes).first(n)).ok())
				<< msg_type_name(type_of(b)) << " cut at " << n;
		bytes.push_back(0);
		EXPECT_FALSE(decode_guest(bytes).ok()) << "trailing byte";
	}
}

TEST(Protocol, LengthFieldMustMatchType)
{
	auto b = encode(9, 1, GuestBody(Create{0, 0, 10, 10, 0, false}));
	put32(b, 4, 23);
	b.pop_back();
	EXPECT_FALSE(decode_guest(b).ok());
	// A header promising a huge payload is refused from the header alone.
	std::vector<uint8_t> h(kHeaderSize);
	put32(h, 0, uint32_t(MsgType::kTitle));
	put32(h, 4, 0x7fffffff);
	auto r = parse_header(h);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("payload length"), std::string::npos);
	put32(h, 0, 0x42);
	put32(h, 4, 0);
	EXPECT_FALSE(parse_header(h).ok());
}

TEST(Protocol, OversizedWindowRefused)
{
	EXPECT_FALSE(decode_guest(encode(9, 1, GuestBody(Create{0, 0, 16385, 10, 0, false}))).ok());
	EXPECT_FALSE(decode_guest(encode(9, 1, GuestBody(Create{0, 0, 10, 6145, 0, false}))).ok());
	EXPECT_FALSE(decode_guest(encode(9, 1, GuestBody(Create{0, 0, 0, 10, 0, false}))).ok());
	EXPECT_TRUE(decode_guest(encode(9, 1, GuestBody(Create{0, 0, 16384, 6144, 0, false}))).ok());
	EXPECT_FALSE(
		decode_guest(encode(9, 1, GuestBody(Configure{40000, 0, 10, 10, false}))).ok());
}

TEST(Protocol, WindowIdRules)
{
	EXPECT_FALSE(decode_guest(encode(0, 1, GuestBody(Map{}))).ok());
	EXPECT_FALSE(decode_guest(encode(3, 1, GuestBody(Hello{1, 0, 10, 10}))).ok());
	EXPECT_FALSE(decode_guest(encode(3, 1, GuestBody(Create{0, 0, 1, 1, 3, false}))).ok());
	EXPECT_FALSE(decode_guest(encode(3, 1, GuestBody(Map{3, false}))).ok());
}

TEST(Protocol, TitleAndClass)
{
	std::string longest(kMaxTitleBytes, 'a');
	EXPECT_TRUE(decode_guest(encode(3, 1, GuestBody(Title{longest}))).ok());
	EXPECT_FALSE(decode_guest(encode(3, 1, GuestBody(Title{longest + "a"}))).ok());
	for (const char *badutf : {"\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"})
		EXPECT_FALSE(decode_guest(encode(3, 1, GuestBody(Title{badutf}))).ok()) << badutf;
	auto b = encode(3, 1, GuestBody(Class{"ab", "cd"}));
	b[kHeaderSize] = 3; // name length no longer matches
	EXPECT_FALSE(decode_guest(b).ok());
}

TEST(Protocol, BufferAndDamageFields)
{
	auto dec = [](const GuestBody &b) { return decode_guest(encode(3, 1, b)).ok(); };
	EXPECT_FALSE(dec(Buffer{1, 10, 10, 39, kFormatXRGB8888, 1}));  // stride < w*4
	EXPECT_FALSE(dec(Buffer{1, 10, 10, 42, kFormatXRGB8888, 1}));  // unaligned
	EXPECT_FALSE(dec(Buffer{1, 10, 10, 40, 0x20203852, 1}));       // 'R8  '
	EXPECT_FALSE(dec(Buffer{0, 10, 10, 40, kFormatXRGB8888, 1}));  // id 0
	EXPECT_TRUE(dec(Buffer{1, 10, 10, 64, kFormatARGB8888, 1}));
	Damage d{1, 1, 0, {{0, 0, 1, 1}}};
	EXPECT_TRUE(dec(d));
	d.rects.clear();
	EXPECT_FALSE(dec(d));
	d.rects.assign(kMaxDamageRects + 1, Rect{0, 0, 1, 1});
	EXPECT_FALSE(dec(d));
	d.rects = {{0xffffffff, 0, 2, 1}};
	EXPECT_FALSE(dec(d));
	d.rects = {{16383, 0, 2, 1}};
	EXPECT_FALSE(dec(d));
	d.rects = {{0, 0, 1, 1}};
	d.frame = 0;
	EXPECT_FALSE(dec(d));
	EXPECT_FALSE(dec(Cursor{3}));
	EXPECT_FALSE(dec(Cursor{154}));
	EXPECT_TRUE(dec(Cursor{kCursorDefault}));
	EXPECT_FALSE(dec(SizeHints{kHintMinSize | kHintMaxSize, 20, 20, 10, 10, 0, 0, 0, 0}));
	EXPECT_FALSE(dec(SizeHints{1, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Protocol, HelloMagic)
{
	auto b = encode(0, 1, GuestBody(Hello{1, 0, 800, 600}));
	b[kHeaderSize] ^= 1;
	EXPECT_FALSE(decode_guest(b).ok());
}

TEST(Text, Utf8)
{
	EXPECT_TRUE(is_valid_utf8(""));
	EXPECT_TRUE(is_valid_utf8("abc \xe2\x82\xac \xf0\x9f\x98\x80"));
	EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf")); // overlong '/'
	EXPECT_FALSE(is_valid_utf8("\x80"));
}

TEST(Text, SanitizeStripsControlsAndBidi)
{
	EXPECT_EQ(sanitize_text("a\tb\nc\x1b[31md\x7f"), "abc[31md");
	EXPECT_EQ(sanitize_text("x\xc2\x85y"), "xy");	      // NEL (C1)
	EXPECT_EQ(sanitize_text("pay\xe2\x80\xaelapyap"), "paylapyap"); // RLO
	EXPECT_EQ(sanitize_text("caf\xc3\xa9 \xe2\x81\xa6z"), "caf\xc3\xa9 z");
}

} // namespace
} // namespace bulkhead::gui
