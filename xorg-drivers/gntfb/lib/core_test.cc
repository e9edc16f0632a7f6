// SPDX-License-Identifier: GPL-2.0-only
// The C API as the shim uses it, over the memfd backend.
#include "gntfb_core.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

namespace {

TEST(CoreApi, OptionsWithDefaults)
{
	char err[256] = "";
	uint32_t px = 1;
	ASSERT_EQ(gntfb_parse_pixmap_min_pixels(nullptr, &px, err, sizeof(err)), 0);
	EXPECT_EQ(px, GNTFB_DEFAULT_PIXMAP_MIN_PIXELS);
	EXPECT_EQ(gntfb_parse_pixmap_min_pixels("x", &px, err, sizeof(err)), -1);
	EXPECT_NE(strstr(err, "PixmapMinPixels"), nullptr) << err;
	enum gntfb_backend b;
	ASSERT_EQ(gntfb_parse_backend("memfd", &b, err, sizeof(err)), 0);
	EXPECT_EQ(b, GNTFB_BACKEND_MEMFD);
	char *dev = nullptr;
	ASSERT_EQ(gntfb_parse_device(nullptr, &dev, err, sizeof(err)), 0);
	EXPECT_STREQ(dev, "");
	free(dev);
	EXPECT_EQ(gntfb_parse_device("rel", &dev, err, sizeof(err)), -1);
}

TEST(CoreApi, DrmBackendWithoutDeviceFailsWithReason)
{
	char err[256] = "";
	EXPECT_EQ(gntfb_core_open(GNTFB_BACKEND_GNTFB, "/nonexistent/card0", "", err, sizeof(err)),
		  nullptr);
	EXPECT_NE(strstr(err, "/nonexistent/card0"), nullptr) << err;
	EXPECT_EQ(gntfb_core_open(GNTFB_BACKEND_GNTFB, "/dev/null", "", err, sizeof(err)), nullptr);
	EXPECT_NE(strstr(err, "/dev/null"), nullptr) << err;
}

TEST(CoreApi, MemfdBuffersModesAndHotplug)
{
	char path[] = "/tmp/gntfb-modes-XXXXXX";
	int fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "1280x720 800x600", 16), 16);
	close(fd);
	char err[256] = "";
	struct gntfb_core *c = gntfb_core_open(GNTFB_BACKEND_MEMFD, "", path, err, sizeof(err));
	ASSERT_NE(c, nullptr) << err;
	struct gntfb_mode modes[GNTFB_MAX_SCREEN_MODES];
	ASSERT_EQ(gntfb_core_modes(c, modes, GNTFB_MAX_SCREEN_MODES, err, sizeof(err)), 2);
	struct gntfb_mode m = gntfb_choose_screen_size(modes, 2, 640, 480);
	EXPECT_EQ(m.width, 1280u);
	EXPECT_EQ(m.height, 720u);
	m = gntfb_choose_screen_size(modes, 0, 640, 480);
	EXPECT_EQ(m.width, 640u);

	struct gntfb_buffer a, b;
	ASSERT_EQ(gntfb_core_alloc(c, 300, 200, 24, &a, err, sizeof(err)), 0) << err;
	ASSERT_EQ(gntfb_core_alloc(c, 64, 64, 32, &b, err, sizeof(err)), 0) << err;
	EXPECT_NE(a.dir_ref, b.dir_ref);
	EXPECT_EQ(a.pitch, 1200u);
	memset(a.data, 0x5a, size_t(a.pitch) * a.height);
	uint32_t prop[GNTFB_PROPERTY_VALUES];
	gntfb_encode_property(&b, prop);
	EXPECT_EQ(prop[0], b.dir_ref);
	EXPECT_EQ(prop[1], 64u);
	EXPECT_EQ(prop[2], 64u);
	EXPECT_EQ(prop[3], 256u);
	EXPECT_EQ(prop[4], 0x34325241u);
	EXPECT_EQ(gntfb_core_live(c), 2u);
	gntfb_core_release(c, a.id);
	EXPECT_EQ(gntfb_core_live(c), 1u);
	EXPECT_EQ(gntfb_core_alloc(c, 64, 64, 16, &a, err, sizeof(err)), -1);

	// rewriting the mode file is a hotplug
	int hfd = gntfb_core_hotplug_fd(c);
	ASSERT_GE(hfd, 0);
	EXPECT_EQ(gntfb_core_drain_hotplug(c), 0);
	std::ofstream(path) << "1024x768\n";
	struct pollfd p = {hfd, POLLIN, 0};
	ASSERT_EQ(poll(&p, 1, 2000), 1);
	EXPECT_EQ(gntfb_core_drain_hotplug(c), 1);
	ASSERT_EQ(gntfb_core_modes(c, modes, GNTFB_MAX_SCREEN_MODES, err, sizeof(err)), 1);
	EXPECT_EQ(modes[0].width, 1024u);
	std::ofstream(path) << "garbage\n";
	EXPECT_EQ(gntfb_core_modes(c, modes, GNTFB_MAX_SCREEN_MODES, err, sizeof(err)), -1);
	gntfb_core_close(c);
	unlink(path);
}

TEST(CoreApi, Placement)
{
	EXPECT_EQ(gntfb_choose_placement(64, 64, 24, 0, 4096), GNTFB_PLACE_GNTFB);
	EXPECT_EQ(gntfb_choose_placement(10, 10, 24, 0, 4096), GNTFB_PLACE_SMALL);
	EXPECT_EQ(gntfb_choose_placement(100, 100, 8, 0, 4096), GNTFB_PLACE_DEPTH);
	EXPECT_EQ(gntfb_choose_placement(100, 100, 32, 1, 4096), GNTFB_PLACE_GLYPH);
}

} // namespace
