// SPDX-License-Identifier: GPL-2.0-only
#include "frame_record.h"

#include <cstdint>

#include <gtest/gtest.h>

namespace bulkhead::gui {
namespace {

TEST(FrameRecord, FormatsEveryFieldInOrder)
{
	FrameRecord r{1234567890123ull, 0x400001, 42, 3, 2073600, 10500000, 8400000, 9876, 5432};
	EXPECT_EQ(format_frame_record(r),
		  "1234567890123 4194305 42 3 2073600 10500000 8400000 9876 5432");
}

TEST(FrameRecord, FormatsExtremes)
{
	FrameRecord zero;
	EXPECT_EQ(format_frame_record(zero), "0 0 0 0 0 0 0 0 0");
	FrameRecord max{UINT64_MAX, UINT32_MAX, UINT64_MAX, UINT32_MAX, UINT64_MAX,
			UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
	std::string m = "18446744073709551615";
	EXPECT_EQ(format_frame_record(max), m + " 4294967295 " + m + " 4294967295 " + m + " " + m +
						    " " + m + " " + m + " " + m);
}

} // namespace
} // namespace bulkhead::gui
