// SPDX-License-Identifier: GPL-2.0-only
// Screen size choice: dom0's mode list (preferred first) or the fallback.
#pragma once

#include <string_view>
#include <vector>

#include "bulkhead/result.h"
#include "device.h"

namespace bulkhead::xgntfb {

// gntfb's bounds on a mode (Documentation/gntfb.rst, data/gntfb/modes).
constexpr uint32_t kMinModeSize = 64, kMaxModeWidth = 16384, kMaxModeHeight = 6144;
constexpr size_t kMaxModes = 16;
// The size without a mode list and without a Virtual line: gntfb's own default.
constexpr Mode kDefaultMode{1024, 768};

// "WxH[ WxH...]" (spaces, tabs or newlines between), at most kMaxModes,
// each within gntfb's bounds; the whole list is refused on any bad entry.
Result<std::vector<Mode>> parse_mode_list(std::string_view text);

// One connector mode as DRM reports it.
struct ConnectorMode {
	Mode mode;
	bool preferred = false;
};
// DRM sorts probed modes by its own rules: put the preferred one first, keep
// the others in order, drop duplicates and sizes outside gntfb's bounds.
std::vector<Mode> order_connector_modes(const std::vector<ConnectorMode> &modes);

// The screen size: dom0's preferred mode; else the Virtual size of the
// Display subsection (0 x 0 when absent); else kDefaultMode.
Mode choose_screen_size(const std::vector<Mode> &modes, Mode virtual_size);

bool mode_in_bounds(Mode m);

} // namespace bulkhead::xgntfb
