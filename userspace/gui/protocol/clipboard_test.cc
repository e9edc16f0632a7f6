// SPDX-License-Identifier: GPL-2.0-only
// The clipboard messages, chunk reassembly with hostile sizes, and the
// receiving agent's content checks (UTF-8, PNG structure).
#include "bulkhead/gui/clipboard.h"

#include <gtest/gtest.h>

namespace bulkhead::gui {
namespace {

void put32(std::vector<uint8_t> &b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[off + i] = uint8_t(v >> (8 * i));
}

std::string be(uint32_t v)
{
	return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string chunk(const std::string &type, const std::string &body)
{
	return be(uint32_t(body.size())) + type + body + be(crc32_png(type + body));
}

// A 1x1 RGB PNG (a real zlib stored block in its IDAT).
std::string tiny_png()
{
	std::string ihdr = be(1) + be(1) + std::string("\x08\x02\x00\x00\x00", 5);
	std::string idat("\x78\x01\x01\x04\x00\xfb\xff\x00\xff\x00\x00\x03\x01\x01\x00", 15);
	return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", idat) +
	       chunk("IEND", "");
}

TEST(ClipMessages, RepliesValidated)
{
	auto dec = [](ClipboardReply r) { return decode_guest(encode(0, 1, GuestBody(r))); };
	EXPECT_TRUE(dec({1, ClipStatus::kData, kClipText, 10}).ok());
	EXPECT_TRUE(dec({1, ClipStatus::kEmpty, 0, 0}).ok());
	EXPECT_TRUE(dec({1, ClipStatus::kTooLarge, kClipPng, 1u << 30}).ok());
	EXPECT_FALSE(dec({0, ClipStatus::kData, kClipText, 10}).ok()) << "id 0";
	EXPECT_FALSE(dec({1, ClipStatus::kData, 3, 10}).ok()) << "unknown format";
	EXPECT_FALSE(dec({1, ClipStatus::kData, kClipText, 0}).ok()) << "empty data";
	EXPECT_FALSE(dec({1, ClipStatus::kData, kClipText, kMaxClipboardTotal + 1}).ok());
	EXPECT_FALSE(dec({1, ClipStatus::kEmpty, kClipText, 0}).ok()) << "format without data";
	EXPECT_FALSE(dec({1, ClipStatus::kUnavailable, 0, 5}).ok()) << "size without data";
	EXPECT_FALSE(dec({1, ClipStatus::kTooLarge, 0, 0}).ok());
	auto raw = encode(0, 1, GuestBody(ClipboardReply{1, ClipStatus::kEmpty, 0, 0}));
	put32(raw, 16 + 4, 9);
	EXPECT_FALSE(decode_guest(raw).ok()) << "unknown status";
	// Connection messages: a window id is refused.
	EXPECT_FALSE(decode_guest(encode(5, 1, GuestBody(ClipboardReply{1, ClipStatus::kEmpty, 0, 0}))).ok());
}

TEST(ClipMessages, ChunkBounds)
{
	EXPECT_TRUE(decode_guest(encode(0, 1, GuestBody(ClipboardChunk{1, std::string(kMaxClipboardChunk, 'a')}))).ok());
	EXPECT_FALSE(decode_guest(encode(0, 1, GuestBody(ClipboardChunk{1, ""}))).ok()) << "empty";
	auto big = encode(0, 1, GuestBody(ClipboardChunk{1, std::string(kMaxClipboardChunk + 1, 'a')}));
	EXPECT_FALSE(decode_guest(big).ok()) << "one byte over";
	EXPECT_FALSE(parse_header(big).ok()) << "refused from the header alone";
	EXPECT_FALSE(decode_guest(encode(0, 1, GuestBody(ClipboardChunk{0, "x"}))).ok()) << "id 0";
	EXPECT_FALSE(decode_dom0(encode(0, 1, Dom0Body(PasteChunk{1, ""}))).ok());
	EXPECT_FALSE(decode_dom0(encode(0, 1, Dom0Body(ClipboardRequest{1, 0}))).ok());
	EXPECT_FALSE(decode_dom0(encode(0, 1, Dom0Body(ClipboardRequest{1, kMaxClipboardTotal + 1}))).ok());
	EXPECT_FALSE(decode_dom0(encode(0, 1, Dom0Body(ClipboardPaste{1, kClipText, 0, 0}))).ok());
	EXPECT_FALSE(decode_dom0(encode(0, 1, Dom0Body(ClipboardPaste{1, 7, 5, 0}))).ok());
	auto pr = encode(0, 1, GuestBody(PasteResult{1, PasteStatus::kPasted}));
	put32(pr, 16 + 4, 4);
	EXPECT_FALSE(decode_guest(pr).ok()) << "unknown paste status";
}

TEST(ClipReassembly, WholeTransfer)
{
	std::string data(200000, 'q');
	data[12345] = 'z';
	ClipReassembly r;
	ASSERT_TRUE(r.begin(4, kClipText, data.size(), kDefaultClipboardLimit).ok());
	auto parts = split_chunks(data);
	ASSERT_EQ(parts.size(), 4u);
	for (size_t i = 0; i < parts.size(); i++) {
		auto a = r.add(4, parts[i]);
		ASSERT_TRUE(a.ok()) << a.error().message;
		EXPECT_EQ(*a, i + 1 == parts.size());
	}
	EXPECT_EQ(r.take(), data);
	EXPECT_FALSE(r.active());
}

TEST(ClipReassembly, HostileSizes)
{
	ClipReassembly r;
	// Over the limit: refused before anything is accepted (or allocated).
	auto e = r.begin(1, kClipText, kDefaultClipboardLimit + 1, kDefaultClipboardLimit);
	ASSERT_FALSE(e.ok());
	EXPECT_NE(e.error().message.find("over the limit"), std::string::npos);
	EXPECT_FALSE(r.begin(1, kClipText, uint64_t(1) << 40, ~0ull).ok()) << "over the protocol max";
	EXPECT_FALSE(r.begin(1, kClipText, 0, 100).ok()) << "empty";
	EXPECT_FALSE(r.begin(1, 9, 10, 100).ok()) << "format";
	EXPECT_FALSE(r.active());
	// Chunk without a transfer.
	EXPECT_FALSE(r.add(1, "abc").ok());
	// Chunk past the announced total.
	ASSERT_TRUE(r.begin(2, kClipText, 5, 100).ok());
	EXPECT_TRUE(r.add(2, "abc").ok());
	EXPECT_FALSE(r.add(2, "def").ok());
	EXPECT_FALSE(r.active()) << "an error resets";
	// Wrong id, empty and oversized chunks.
	ASSERT_TRUE(r.begin(3, kClipText, 100, 100).ok());
	EXPECT_FALSE(r.add(4, "x").ok());
	ASSERT_TRUE(r.begin(3, kClipText, 100, 100).ok());
	EXPECT_FALSE(r.add(3, "").ok());
	ASSERT_TRUE(r.begin(5, kClipText, kMaxClipboardTotal, kMaxClipboardTotal).ok());
	EXPECT_FALSE(r.add(5, std::string(kMaxClipboardChunk + 1, 'x')).ok());
	// A second begin while one is incomplete.
	ASSERT_TRUE(r.begin(6, kClipText, 10, 100).ok());
	EXPECT_TRUE(r.add(6, "12345").ok());
	EXPECT_FALSE(r.begin(7, kClipText, 10, 100).ok());
	EXPECT_FALSE(r.active());
	// Size exactly at the limit is fine.
	ASSERT_TRUE(r.begin(8, kClipPng, 100, 100).ok());
	EXPECT_TRUE(r.add(8, std::string(100, 'p')).value());
}

TEST(ClipContent, Utf8Strict)
{
	EXPECT_TRUE(check_clip_content(kClipText, "plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80").ok());
	for (const char *bad : {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
				"\xff", "abc\xe2\x82", "\x80"})
		EXPECT_FALSE(check_clip_content(kClipText, bad).ok()) << bad;
	// NUL bytes are valid UTF-8 (U+0000): accepted.
	EXPECT_TRUE(check_clip_content(kClipText, std::string("a\0b", 3)).ok());
}

TEST(ClipContent, PngStructure)
{
	EXPECT_EQ(crc32_png("IEND"), 0xae426082u);
	std::string png = tiny_png();
	auto ok = check_png(png);
	EXPECT_TRUE(ok.ok()) << ok.error().message;
	EXPECT_TRUE(check_clip_content(kClipPng, png).ok());
	EXPECT_FALSE(check_clip_content(kClipPng, "GIF89a").ok());
	EXPECT_FALSE(check_png(png.substr(0, png.size() - 1)).ok()) << "truncated";
	EXPECT_FALSE(check_png(png + "x").ok()) << "data after IEND";
	std::string bad_crc = png;
	bad_crc[8 + 8 + 13] ^= 1;
	EXPECT_FALSE(check_png(bad_crc).ok());
	std::string sig("\x89PNG\r\n\x1a\n", 8);
	std::string ihdr = chunk("IHDR", be(1) + be(1) + std::string("\x08\x02\x00\x00\x00", 5));
	std::string idat = chunk("IDAT", "xx"), iend = chunk("IEND", "");
	EXPECT_FALSE(check_png(sig + idat + iend).ok()) << "no IHDR";
	EXPECT_FALSE(check_png(sig + ihdr + iend).ok()) << "no IDAT";
	EXPECT_FALSE(check_png(sig + ihdr + idat + chunk("tEXt", "a") + idat + iend).ok())
		<< "IDAT split";
	EXPECT_FALSE(check_png(sig + ihdr + chunk("ABCD", "") + idat + iend).ok()) << "unknown critical";
	EXPECT_TRUE(check_png(sig + ihdr + chunk("tEXt", "k\0v") + idat + iend).ok()) << "ancillary ok";
	std::string zero = chunk("IHDR", be(0) + be(1) + std::string("\x08\x02\x00\x00\x00", 5));
	EXPECT_FALSE(check_png(sig + zero + idat + iend).ok()) << "width 0";
	std::string depth = chunk("IHDR", be(1) + be(1) + std::string("\x03\x02\x00\x00\x00", 5));
	EXPECT_FALSE(check_png(sig + depth + idat + iend).ok()) << "RGB at depth 3";
	std::string pal = chunk("IHDR", be(1) + be(1) + std::string("\x08\x03\x00\x00\x00", 5));
	EXPECT_FALSE(check_png(sig + pal + idat + iend).ok()) << "palette without PLTE";
	EXPECT_TRUE(check_png(sig + pal + chunk("PLTE", "abc") + idat + iend).ok());
	// A chunk length that lies past the end (or 2^31 and more).
	std::string lie = sig + be(0x7ffffff0) + "IHDR";
	EXPECT_FALSE(check_png(lie + std::string(20, '\0')).ok());
	std::string huge = sig + be(0xfffffff0) + "IHDR" + std::string(20, '\0');
	EXPECT_FALSE(check_png(huge).ok());
}

} // namespace
} // namespace bulkhead::gui
