// SPDX-License-Identifier: GPL-2.0-only
#include "modes.h"

#include <gtest/gtest.h>

#include "device.h"

namespace bulkhead::xgntfb {
namespace {

TEST(ModeList, Parses)
{
	auto r = parse_mode_list("1920x1080 1280x720\n\t800x600 ");
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(r.value(), (std::vector<Mode>{{1920, 1080}, {1280, 720}, {800, 600}}));
	EXPECT_TRUE(parse_mode_list("").value().empty());
	EXPECT_TRUE(parse_mode_list("  \n").value().empty());
	EXPECT_EQ(parse_mode_list("64x64 16384x6144").value().size(), 2u);
}

TEST(ModeList, RefusesBadEntries)
{
	for (const char *bad : {"1920", "1920x", "x1080", "1920x1080x", "-1x100", "100x100a",
				"63x100", "100x63", "16385x100", "100x6145", "99999999x100",
				"1920*1080", "0x0"})
		EXPECT_FALSE(parse_mode_list(bad).ok()) << bad;
	std::string many;
	for (int i = 0; i < 17; i++)
		many += "100x100 ";
	EXPECT_FALSE(parse_mode_list(many).ok());
}

TEST(ConnectorModes, PreferredFirstDeduplicated)
{
	std::vector<ConnectorMode> in = {
		{{1920, 1080}, false}, {{1280, 720}, true}, {{1920, 1080}, false},
		{{800, 600}, false},   {{10, 10}, false},   {{1280, 720}, false},
	};
	EXPECT_EQ(order_connector_modes(in),
		  (std::vector<Mode>{{1280, 720}, {1920, 1080}, {800, 600}}));
	EXPECT_TRUE(order_connector_modes({}).empty());
}

TEST(ScreenSize, PreferredThenVirtualThenDefault)
{
	EXPECT_EQ(choose_screen_size({{1280, 720}, {800, 600}}, {640, 480}), (Mode{1280, 720}));
	EXPECT_EQ(choose_screen_size({}, {640, 480}), (Mode{640, 480}));
	EXPECT_EQ(choose_screen_size({}, {0, 0}), kDefaultMode);
	EXPECT_EQ(choose_screen_size({}, {20000, 480}), kDefaultMode);
}

TEST(Uevent, DrmHotplugOnly)
{
	const char hot[] = "change@/devices/virtual/drm/card0\0ACTION=change\0DEVPATH=/x\0"
			   "SUBSYSTEM=drm\0HOTPLUG=1\0DEVNAME=dri/card0\0SEQNUM=12";
	EXPECT_TRUE(is_drm_hotplug_uevent(hot, sizeof(hot) - 1));
	const char other[] = "change@/x\0SUBSYSTEM=block\0HOTPLUG=1";
	EXPECT_FALSE(is_drm_hotplug_uevent(other, sizeof(other) - 1));
	const char nohp[] = "add@/x\0SUBSYSTEM=drm\0DEVNAME=dri/card0";
	EXPECT_FALSE(is_drm_hotplug_uevent(nohp, sizeof(nohp) - 1));
	// truncated: no terminating NUL on the last string
	const char trunc[] = {'S', 'U', 'B', 'S', 'Y', 'S', 'T', 'E', 'M', '=', 'd', 'r', 'm', 0,
			      'H', 'O', 'T', 'P', 'L', 'U', 'G', '=', '1'};
	EXPECT_TRUE(is_drm_hotplug_uevent(trunc, sizeof(trunc)));
	EXPECT_FALSE(is_drm_hotplug_uevent(trunc, sizeof(trunc) - 1)); // "HOTPLUG="
	EXPECT_FALSE(is_drm_hotplug_uevent("", 0));
}

TEST(FindCard, FirstGntfbBySortedName)
{
	auto names = [](const std::string &c) -> std::optional<std::string> {
		if (c == "/dev/dri/card0")
			return "virtio_gpu";
		if (c == "/dev/dri/card1" || c == "/dev/dri/card2")
			return "gntfb";
		return std::nullopt;
	};
	EXPECT_EQ(find_gntfb_card({"/dev/dri/card2", "/dev/dri/card1", "/dev/dri/card0"}, names)
			  .value(),
		  "/dev/dri/card1");
	EXPECT_FALSE(find_gntfb_card({"/dev/dri/card0", "/dev/dri/card9"}, names).ok());
	EXPECT_FALSE(find_gntfb_card({}, names).ok());
}

} // namespace
} // namespace bulkhead::xgntfb
