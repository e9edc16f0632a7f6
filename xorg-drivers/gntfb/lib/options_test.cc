// SPDX-License-Identifier: GPL-2.0-only
#include "options.h"

#include <gtest/gtest.h>

#include "buffer_property.h"

namespace bulkhead::xgntfb {
namespace {

TEST(Options, PixmapMinPixels)
{
	EXPECT_EQ(parse_pixmap_min_pixels(nullptr).value(), 4096u);
	EXPECT_EQ(parse_pixmap_min_pixels("0").value(), 0u);
	EXPECT_EQ(parse_pixmap_min_pixels("65536").value(), 65536u);
	EXPECT_EQ(parse_pixmap_min_pixels("100663296").value(), 100663296u);
	for (const char *bad : {"", "-1", "4k", " 10", "10 ", "100663297", "99999999999999999999"})
		EXPECT_FALSE(parse_pixmap_min_pixels(bad).ok()) << bad;
}

TEST(Options, Backend)
{
	EXPECT_EQ(parse_backend(nullptr).value(), Backend::Gntfb);
	EXPECT_EQ(parse_backend("gntfb").value(), Backend::Gntfb);
	EXPECT_EQ(parse_backend("memfd").value(), Backend::Memfd);
	EXPECT_FALSE(parse_backend("shm").ok());
	EXPECT_FALSE(parse_backend("").ok());
}

TEST(Options, Paths)
{
	EXPECT_EQ(parse_device(nullptr).value(), "");
	EXPECT_EQ(parse_device("").value(), "");
	EXPECT_EQ(parse_device("/dev/dri/card1").value(), "/dev/dri/card1");
	EXPECT_FALSE(parse_device("card1").ok());
	EXPECT_EQ(parse_fake_modes_file(nullptr).value(), "");
	EXPECT_EQ(parse_fake_modes_file("/tmp/m").value(), "/tmp/m");
	EXPECT_FALSE(parse_fake_modes_file("m").ok());
}

TEST(Property, Encoding)
{
	EXPECT_EQ(fourcc_for_depth(24), kFourccXRGB8888);
	EXPECT_EQ(fourcc_for_depth(32), kFourccARGB8888);
	EXPECT_FALSE(fourcc_for_depth(16));
	EXPECT_FALSE(fourcc_for_depth(8));
	EXPECT_EQ(encode_buffer_property(7, 640, 480, 2560, kFourccXRGB8888),
		  (BufferProperty{7, 640, 480, 2560, 0x34325258}));
	EXPECT_STREQ(kBufferProperty, "_BULKHEAD_GNTFB_BUFFER");
}

} // namespace
} // namespace bulkhead::xgntfb
