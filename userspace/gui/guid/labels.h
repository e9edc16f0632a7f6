// SPDX-License-Identifier: GPL-2.0-only
// AppVM trust labels and their fixed colours (Documentation/desktop.rst).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bulkhead/result.h"

namespace bulkhead::gui {

struct Label {
	std::string name;
	uint32_t rgb; // 0xRRGGBB
};

// red, orange, yellow, green, blue, purple, black, gray.
Result<Label> parse_label(std::string_view name);
std::string label_names(); // "red, orange, ..." for messages

} // namespace bulkhead::gui
