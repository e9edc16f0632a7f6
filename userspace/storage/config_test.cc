// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include <gtest/gtest.h>

namespace storage {
namespace {

TEST(Config, DefaultsAreTheXenDiskLayout)
{
	GuestConfig c;
	EXPECT_EQ(c.base_image, "/dev/xvda");
	EXPECT_EQ(c.base_meta, "/dev/xvdb");
	EXPECT_EQ(c.overlay_device, "/dev/xvdc");
	EXPECT_EQ(c.private_device, "/dev/xvdd");
	EXPECT_EQ(c.private_key, "vchan");
}

TEST(Config, ParsesKeysCommentsAndBlanks)
{
	GuestConfig c;
	auto r = parse_config("# comment\n\n base_image = /dev/loop0  # trailing\n"
			      "base_min_version=7\r\nprivate_key = file:/t/k\n"
			      "chunk_sectors = 16\n",
			      c);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(c.base_image, "/dev/loop0");
	EXPECT_EQ(c.base_min_version, 7u);
	EXPECT_EQ(c.private_key, "file:/t/k");
	EXPECT_EQ(c.chunk_sectors, 16u);
	EXPECT_EQ(c.base_meta, "/dev/xvdb");
}

TEST(Config, ErrorsNameTheLineAndKey)
{
	GuestConfig c;
	auto r = parse_config("base_image = x\nbogus = 1\n", c);
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().message, "line 2: unknown key 'bogus'");
	r = parse_config("key_timeout = soon\n", c);
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().message, "line 1: key_timeout: not a number: 'soon'");
	r = parse_config("no equals sign\n", c);
	ASSERT_FALSE(r.ok());
	r = parse_config("chunk_sectors = 12\n", c);
	ASSERT_FALSE(r.ok());
	r = parse_config("dm_prefix = a/b\n", c);
	ASSERT_FALSE(r.ok());
	r = parse_config("key_timeout = 99999\n", c);
	ASSERT_FALSE(r.ok());
}

TEST(Config, BaseImageIdIsEmptyOr32HexDigits)
{
	GuestConfig c;
	EXPECT_EQ(c.base_image_id, "");
	ASSERT_TRUE(parse_config("base_image_id = 00112233445566778899AABBCCDDEEFF\n", c).ok());
	EXPECT_EQ(c.base_image_id, "00112233445566778899aabbccddeeff");
	for (const char *bad : {"base_image_id = 0011\n", "base_image_id = zz112233445566778899aabbccddeeff\n",
				"base_image_id = 00112233445566778899aabbccddeeff00\n"}) {
		auto r = parse_config(bad, c);
		ASSERT_FALSE(r.ok()) << bad;
		EXPECT_EQ(r.error().message, "line 1: base_image_id: must be empty or 32 hex digits");
	}
	ASSERT_TRUE(parse_config("base_image_id =\n", c).ok());
	EXPECT_EQ(c.base_image_id, "");
}

TEST(Config, DumpRoundTrips)
{
	GuestConfig a;
	a.base_min_version = 9;
	a.base_image_id = "ffeeddccbbaa99887766554433221100";
	a.root_mount = "/sysroot";
	GuestConfig b;
	ASSERT_TRUE(parse_config(dump_config(a), b).ok());
	EXPECT_EQ(dump_config(a), dump_config(b));
	EXPECT_EQ(b.base_min_version, 9u);
}

} // namespace
} // namespace storage
