// SPDX-License-Identifier: GPL-2.0-only
#include "options.h"

#include <charconv>
#include <cstring>

#include "modes.h"

namespace bulkhead::xgntfb {

Result<uint32_t> parse_pixmap_min_pixels(const char *value)
{
	if (!value)
		return kDefaultPixmapMinPixels;
	size_t len = strlen(value);
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(value, value + len, v);
	if (len == 0 || ec != std::errc() || p != value + len)
		return err(std::string("PixmapMinPixels: '") + value + "' is not a decimal number");
	if (v > uint64_t(kMaxModeWidth) * kMaxModeHeight)
		return err(std::string("PixmapMinPixels: ") + value + " is over 16384 x 6144");
	return uint32_t(v);
}

Result<Backend> parse_backend(const char *value)
{
	if (!value || strcmp(value, "gntfb") == 0)
		return Backend::Gntfb;
	if (strcmp(value, "memfd") == 0)
		return Backend::Memfd;
	return err(std::string("Backend: '") + value + "' (want gntfb or memfd)");
}

namespace {

Result<std::string> parse_path(const char *name, const char *value)
{
	if (!value || !*value)
		return std::string();
	if (value[0] != '/')
		return err(std::string(name) + ": '" + value + "' is not an absolute path");
	return std::string(value);
}

} // namespace

Result<std::string> parse_device(const char *value)
{
	return parse_path("Device", value);
}

Result<std::string> parse_fake_modes_file(const char *value)
{
	return parse_path("FakeModesFile", value);
}

} // namespace bulkhead::xgntfb
