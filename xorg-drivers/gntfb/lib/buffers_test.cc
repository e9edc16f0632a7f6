// SPDX-License-Identifier: GPL-2.0-only
#include "buffers.h"

#include <cstring>
#include <gtest/gtest.h>

#include "fake_device.h"
#include "buffer_property.h"

namespace bulkhead::xgntfb {
namespace {

TEST(Placement, SizeClassAndDepth)
{
	EXPECT_EQ(choose_placement(64, 64, 24, false, 4096), Placement::Gntfb);
	EXPECT_EQ(choose_placement(64, 63, 24, false, 4096), Placement::Small);
	EXPECT_EQ(choose_placement(4096, 1, 32, false, 4096), Placement::Gntfb);
	EXPECT_EQ(choose_placement(0, 0, 24, false, 0), Placement::Small);
	EXPECT_EQ(choose_placement(1, 1, 24, false, 0), Placement::Gntfb);
	EXPECT_EQ(choose_placement(100, 100, 16, false, 4096), Placement::Depth);
	EXPECT_EQ(choose_placement(100, 100, 8, false, 4096), Placement::Depth);
	EXPECT_EQ(choose_placement(100, 100, 1, false, 4096), Placement::Depth);
	EXPECT_EQ(choose_placement(100, 100, 32, true, 4096), Placement::Glyph);
	// no overflow on huge sizes
	EXPECT_EQ(choose_placement(32767, 32767, 24, false, 1000000000u), Placement::Gntfb);
	EXPECT_EQ(choose_placement(65535, 65535, 24, false, 0xffffffffu), Placement::Small);
}

TEST(BufferTable, AllocateMapsAndReleaseGivesBack)
{
	FakeDevice dev;
	BufferTable t(dev);
	auto a = t.allocate(100, 50, 24);
	ASSERT_TRUE(a.ok()) << a.error().message;
	EXPECT_EQ(a->width, 100u);
	EXPECT_EQ(a->height, 50u);
	EXPECT_EQ(a->pitch, 400u);
	EXPECT_EQ(a->fourcc, kFourccXRGB8888);
	EXPECT_EQ(a->dir_ref, 0x100 + a->id);
	ASSERT_NE(a->data, nullptr);
	memset(a->data, 0xab, size_t(a->pitch) * a->height); // whole buffer writable
	auto b = t.allocate(64, 64, 32);
	ASSERT_TRUE(b.ok());
	EXPECT_EQ(b->fourcc, kFourccARGB8888);
	EXPECT_NE(a->id, b->id);
	EXPECT_EQ(t.live(), 2u);
	EXPECT_EQ(t.live_bytes(), 20480u + 16384u);
	t.release(a->id);
	EXPECT_EQ(t.live(), 1u);
	EXPECT_EQ(dev.live.size(), 1u);
	EXPECT_EQ(dev.destroyed, std::vector<uint32_t>{a->id});
	t.release(a->id); // twice: ignored
	t.release(9999);  // unknown: ignored
	EXPECT_EQ(dev.destroyed.size(), 1u);
}

TEST(BufferTable, DestructorReturnsEverything)
{
	FakeDevice dev;
	{
		BufferTable t(dev);
		for (int i = 0; i < 5; i++)
			ASSERT_TRUE(t.allocate(128, 128, 24).ok());
		EXPECT_EQ(dev.live.size(), 5u);
	}
	EXPECT_TRUE(dev.live.empty());
	EXPECT_EQ(dev.pages, 0u);
}

TEST(BufferTable, PoolCapFailsAndRecovers)
{
	FakeDevice dev;
	dev.cap_pages = 100; // 400 KiB
	BufferTable t(dev);
	auto a = t.allocate(256, 256, 24); // 64 pages
	ASSERT_TRUE(a.ok());
	auto b = t.allocate(256, 256, 24);
	ASSERT_FALSE(b.ok());
	EXPECT_NE(b.error().message.find("No space left on device"), std::string::npos)
		<< b.error().message;
	EXPECT_NE(b.error().message.find("256x256"), std::string::npos);
	EXPECT_EQ(t.failures(), 1u);
	t.release(a->id);
	EXPECT_TRUE(t.allocate(256, 256, 24).ok());
}

TEST(BufferTable, RefusesBadRequestsWithoutCallingTheDevice)
{
	FakeDevice dev;
	BufferTable t(dev);
	EXPECT_FALSE(t.allocate(100, 100, 16).ok());
	EXPECT_FALSE(t.allocate(0, 100, 24).ok());
	EXPECT_FALSE(t.allocate(100, 0, 24).ok());
	EXPECT_FALSE(t.allocate(16385, 10, 24).ok());
	EXPECT_FALSE(t.allocate(10, 6145, 24).ok());
	EXPECT_EQ(dev.creates, 0);
	EXPECT_TRUE(t.allocate(16384, 1, 24).ok());
}

TEST(BufferTable, DistrustsShortPitchOrSizeAndLeaksNothing)
{
	FakeDevice dev;
	BufferTable t(dev);
	dev.size_delta = -8192;
	auto r = t.allocate(100, 100, 24); // 40000 bytes need 10 pages, we got 8
	EXPECT_FALSE(r.ok());
	EXPECT_TRUE(dev.live.empty());
	dev.size_delta = 0;
	dev.pitch_pad = 2; // not a multiple of 4
	EXPECT_FALSE(t.allocate(100, 100, 24).ok());
	EXPECT_TRUE(dev.live.empty());
	dev.pitch_pad = 0;
	EXPECT_TRUE(t.allocate(100, 100, 24).ok());
}

TEST(BufferTable, MapFailureDestroysTheHandle)
{
	FakeDevice dev;
	dev.fail_map = true;
	BufferTable t(dev);
	auto r = t.allocate(100, 100, 24);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("map"), std::string::npos);
	EXPECT_TRUE(dev.live.empty());
	EXPECT_EQ(t.live(), 0u);
}

} // namespace
} // namespace bulkhead::xgntfb
