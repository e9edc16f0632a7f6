// SPDX-License-Identifier: GPL-2.0-only
// Values of the driver's Options (gntfb(4)). Each parser takes the option's
// string as xorg.conf gave it, or nullptr when the option is absent, and
// returns the documented default for nullptr.
#pragma once

#include <cstdint>
#include <string>

#include "bulkhead/result.h"

namespace bulkhead::xgntfb {

// Option "PixmapMinPixels": pixmaps of fewer pixels stay in ordinary memory.
constexpr uint32_t kDefaultPixmapMinPixels = 4096;
// 0 .. 16384 * 6144 (gntfb's largest buffer); decimal.
Result<uint32_t> parse_pixmap_min_pixels(const char *value);

// Option "Backend": "gntfb" (default) or "memfd" (host tests only).
enum class Backend { Gntfb, Memfd };
Result<Backend> parse_backend(const char *value);

// Option "Device": an absolute path, or "" (default) for the first
// /dev/dri/card* whose driver is gntfb.
Result<std::string> parse_device(const char *value);

// Option "FakeModesFile" (memfd backend only): an absolute path, default "".
Result<std::string> parse_fake_modes_file(const char *value);

} // namespace bulkhead::xgntfb
