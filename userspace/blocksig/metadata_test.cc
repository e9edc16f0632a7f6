// SPDX-License-Identifier: GPL-2.0-only
#include "metadata.h"

#include <cstring>
#include <endian.h>
#include <gtest/gtest.h>

namespace blocksig {
namespace {

TEST(Layout, Computes64BlocksAt4K)
{
	auto l = Layout::compute(4096, 256, 64);
	ASSERT_TRUE(l.ok());
	EXPECT_EQ(l->map_blocks, 1u);
	EXPECT_EQ(l->records_per_block, 16u);
	EXPECT_EQ(l->record_blocks, 4u);
	EXPECT_EQ(l->map_offset, 4096u);
	EXPECT_EQ(l->records_offset, 2u * 4096);
	EXPECT_EQ(l->meta_size, 6u * 4096);
	EXPECT_EQ(l->record_offset(17), 3u * 4096 + 256);
}

TEST(Layout, RecordsNeverStraddle)
{
	auto l = Layout::compute(1024, 384, 1000); // RSA-3072 at 1 KiB
	ASSERT_TRUE(l.ok());
	EXPECT_EQ(l->records_per_block, 2u);
	EXPECT_EQ(l->map_blocks, 8u); // 8000 bytes
	for (uint64_t i : {0u, 1u, 2u, 999u}) {
		uint64_t in_block = (l->record_offset(i) - l->records_offset) % 1024;
		EXPECT_LE(in_block + 384, 1024u) << i;
	}
	EXPECT_EQ(l->meta_size, (1 + 8 + 500) * 1024u);
}

TEST(Layout, RefusesOutOfRange)
{
	EXPECT_FALSE(Layout::compute(512, 256, 1).ok());
	EXPECT_FALSE(Layout::compute(3072, 256, 1).ok());
	EXPECT_FALSE(Layout::compute(8192, 256, 1).ok());
	EXPECT_FALSE(Layout::compute(4096, 255, 1).ok());
	EXPECT_FALSE(Layout::compute(4096, 513, 1).ok());
	EXPECT_FALSE(Layout::compute(4096, 256, 0).ok());
	EXPECT_FALSE(Layout::compute(4096, 256, BLOCKSIG_MAX_DATA_BLOCKS + 1).ok());
	EXPECT_TRUE(Layout::compute(4096, 256, BLOCKSIG_MAX_DATA_BLOCKS).ok());
}

class HeaderTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		auto l = Layout::compute(4096, 256, 64);
		ASSERT_TRUE(l.ok());
		layout = *l;
		ImageId id{};
		id[0] = 0xab;
		Digest md{}, kid{};
		md[1] = 1;
		kid[2] = 2;
		bytes = Header::make(layout, 7, id, md, kid).encode();
	}
	template <typename T> void patch(size_t off, T v)
	{
		memcpy(bytes.data() + off, &v, sizeof(v));
	}
	std::string parse_error()
	{
		auto h = parse_header(bytes);
		return h.ok() ? "" : h.error().message;
	}
	Layout layout;
	HeaderBytes bytes;
};

TEST_F(HeaderTest, RoundTrip)
{
	auto h = parse_header(bytes);
	ASSERT_TRUE(h.ok()) << h.error().message;
	EXPECT_EQ(h->image_version, 7u);
	EXPECT_EQ(h->data_blocks, 64u);
	EXPECT_EQ(h->image_id[0], 0xab);
	EXPECT_EQ(h->map_digest[1], 1);
	EXPECT_EQ(h->key_id[2], 2);
	EXPECT_EQ(h->encode(), bytes);
	EXPECT_EQ(memcmp(bytes.data(), "BLOCKSIG", 8), 0);
}

TEST_F(HeaderTest, RefusesEachBrokenInvariant)
{
	struct Case {
		size_t off;
		uint64_t value;
		size_t width;
		const char *expect;
	} cases[] = {
		{0, 0x58, 1, "bad magic"},
		{8, 2, 4, "unsupported metadata format version 2"},
		{12, 128, 4, "bad header size"},
		{16, 3000, 4, "block size 3000"},
		{16, 8192, 4, "block size 8192"},
		{20, 2, 4, "unknown signature algorithm 2"},
		{24, 255, 4, "signature size 255"},
		{24, 1024, 4, "signature size 1024"},
		{28, 1, 4, "reserved"},
		{32, 0, 8, "data block count 0"},
		{32, BLOCKSIG_MAX_DATA_BLOCKS + 1, 8, "data block count"},
		{40, 0, 8, "image version 0"},
		{64, 8192, 8, "map offset"},
		{72, 4096, 8, "records offset"},
		{144, 1, 1, "reserved"},
		{255, 1, 1, "reserved"},
	};
	for (auto &c : cases) {
		SetUp();
		if (c.width == 1)
			patch<uint8_t>(c.off, static_cast<uint8_t>(c.value));
		else if (c.width == 4)
			patch<uint32_t>(c.off, htole32(static_cast<uint32_t>(c.value)));
		else
			patch<uint64_t>(c.off, htole64(c.value));
		EXPECT_NE(parse_error().find(c.expect), std::string::npos)
			<< "offset " << c.off << ": " << parse_error();
	}
}

TEST_F(HeaderTest, RefusesShortInput)
{
	EXPECT_NE(parse_header(std::span(bytes).first(255)).error().message.find("truncated"),
		  std::string::npos);
}

class MetadataTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		layout = Layout::compute(1024, 256, 300).value();
		map.assign(300, 3);
		map[7] = 1;
		build();
	}
	void build()
	{
		Header h = Header::make(layout, 3, ImageId{}, map_digest(map), Digest{});
		bytes.assign(layout.meta_size, 0);
		auto hb = h.encode();
		std::copy(hb.begin(), hb.end(), bytes.begin());
		auto m = encode_map(map, layout);
		std::copy(m.begin(), m.end(), bytes.begin() + layout.map_offset);
	}
	Layout layout;
	std::vector<uint64_t> map;
	std::vector<uint8_t> bytes;
};

TEST_F(MetadataTest, ParsesMap)
{
	auto m = parse_metadata(bytes);
	ASSERT_TRUE(m.ok()) << m.error().message;
	auto parsed = parse_map(*m);
	ASSERT_TRUE(parsed.ok()) << parsed.error().message;
	EXPECT_EQ(*parsed, map);
	EXPECT_EQ(m->record(299).data(), bytes.data() + layout.record_offset(299));
}

TEST_F(MetadataTest, RefusesTruncation)
{
	for (size_t len : {size_t{0}, size_t{255}, size_t{256}, size_t{1024},
			   size_t(layout.records_offset), size_t(layout.meta_size - 1)}) {
		auto m = parse_metadata(std::span(bytes).first(len));
		ASSERT_FALSE(m.ok()) << len;
		EXPECT_NE(m.error().message.find("truncated"), std::string::npos)
			<< m.error().message;
	}
}

TEST_F(MetadataTest, RefusesGarbageAfterHeaderSignature)
{
	bytes[1023] = 1;
	EXPECT_FALSE(parse_metadata(bytes).ok());
}

TEST_F(MetadataTest, RefusesMapDigestMismatch)
{
	bytes[layout.map_offset + 8 * 5] ^= 1;
	auto m = parse_metadata(bytes);
	ASSERT_TRUE(m.ok());
	EXPECT_NE(parse_map(*m).error().message.find("map digest"), std::string::npos);
}

TEST_F(MetadataTest, RefusesEntriesOutOfRange)
{
	map[9] = 0;
	build();
	auto m = parse_metadata(bytes);
	ASSERT_TRUE(m.ok());
	EXPECT_NE(parse_map(*m).error().message.find("block 9 has version 0"), std::string::npos);
	map[9] = 4; // above image_version 3
	build();
	m = parse_metadata(bytes);
	ASSERT_TRUE(m.ok());
	EXPECT_NE(parse_map(*m).error().message.find("block 9 has version 4"), std::string::npos);
}

TEST_F(MetadataTest, RefusesNonZeroMapPadding)
{
	bytes[layout.map_offset + 300 * 8] = 1;
	auto m = parse_metadata(bytes);
	ASSERT_TRUE(m.ok());
	EXPECT_NE(parse_map(*m).error().message.find("padding"), std::string::npos);
}

TEST(BlockStmt, Layout)
{
	ImageId id{};
	id[15] = 0x77;
	Digest d{};
	d[31] = 0x55;
	auto s = block_stmt(id, 0x0102, 9, 4096, d);
	EXPECT_EQ(memcmp(s.data(), "BSIGDATA", 8), 0);
	EXPECT_EQ(s[8 + 15], 0x77);
	EXPECT_EQ(s[24], 0x02);
	EXPECT_EQ(s[25], 0x01);
	EXPECT_EQ(s[32], 9);
	EXPECT_EQ(s[40], 0x00);
	EXPECT_EQ(s[41], 0x10); // 4096 little-endian
	EXPECT_EQ(s[44], 0);	// reserved
	EXPECT_EQ(s[79], 0x55);
}

} // namespace
} // namespace blocksig
