// SPDX-License-Identifier: GPL-2.0-only
#include "key_message.h"

#include <cstring>
#include <gtest/gtest.h>

namespace storage {
namespace {

TEST(KeyMessage, KeyRoundTrip)
{
	std::vector<uint8_t> k(64);
	for (size_t i = 0; i < k.size(); i++)
		k[i] = uint8_t(i * 7);
	Secret key(k);
	Secret msg = encode_key_message(key);
	ASSERT_EQ(msg.size(), kKeyHeaderSize + 64);
	EXPECT_EQ(std::memcmp(msg.data(), "BHSKEY01", 8), 0);
	auto m = parse_key_message(msg.bytes());
	ASSERT_TRUE(m.ok()) << m.error().message;
	EXPECT_EQ(m->type, KeyMessageType::key);
	EXPECT_TRUE(m->key == key);
}

TEST(KeyMessage, RefusalRoundTripAndSanitized)
{
	auto msg = encode_refusal("no key for work\n");
	auto m = parse_key_message(msg);
	ASSERT_TRUE(m.ok()) << m.error().message;
	EXPECT_EQ(m->type, KeyMessageType::refused);
	EXPECT_EQ(m->reason, "no key for work?");
	EXPECT_EQ(parse_key_message(encode_refusal(""))->reason, "refused");
	EXPECT_EQ(parse_key_message(encode_refusal(std::string(500, 'x')))->reason.size(),
		  kMaxReasonSize);
}

std::vector<uint8_t> header(const char *magic, uint32_t type, uint32_t len)
{
	std::vector<uint8_t> h(16);
	std::memcpy(h.data(), magic, 8);
	for (int i = 0; i < 4; i++) {
		h[8 + i] = uint8_t(type >> (8 * i));
		h[12 + i] = uint8_t(len >> (8 * i));
	}
	return h;
}

TEST(KeyMessage, RefusesMalformed)
{
	KeyMessageType t;
	EXPECT_FALSE(parse_key_header(header("BHSKEY02", 1, 64), t).ok());
	EXPECT_FALSE(parse_key_header(header("BHSKEY01", 3, 64), t).ok());
	EXPECT_FALSE(parse_key_header(header("BHSKEY01", 1, 31), t).ok());
	EXPECT_FALSE(parse_key_header(header("BHSKEY01", 1, 65), t).ok());
	EXPECT_FALSE(parse_key_header(header("BHSKEY01", 1, 0xffffffff), t).ok());
	EXPECT_FALSE(parse_key_header(header("BHSKEY01", 2, 0), t).ok());
	EXPECT_FALSE(parse_key_header(header("BHSKEY01", 2, 201), t).ok());
	auto ok = parse_key_header(header("BHSKEY01", 1, 32), t);
	ASSERT_TRUE(ok.ok());
	EXPECT_EQ(*ok, 32u);
	// Length mismatch between header and buffer.
	auto h = header("BHSKEY01", 1, 32);
	h.resize(16 + 31);
	EXPECT_FALSE(parse_key_message(h).ok());
	h.resize(16 + 33);
	EXPECT_FALSE(parse_key_message(h).ok());
	// Non-printable reason.
	auto r = header("BHSKEY01", 2, 2);
	r.push_back('a');
	r.push_back(0);
	EXPECT_FALSE(parse_key_message(r).ok());
	EXPECT_FALSE(parse_key_message(std::vector<uint8_t>(5)).ok());
}

} // namespace
} // namespace storage
