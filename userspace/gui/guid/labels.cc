// SPDX-License-Identifier: GPL-2.0-only
#include "labels.h"

#include <array>

namespace bulkhead::gui {
namespace {
// Tango palette colours (as Qubes uses). Documented in desktop.rst; never
// change a value without changing the page.
constexpr std::array<std::pair<std::string_view, uint32_t>, 8> kLabels = {{
	{"red", 0xcc0000},
	{"orange", 0xf57900},
	{"yellow", 0xedd400},
	{"green", 0x73d216},
	{"blue", 0x3465a4},
	{"purple", 0x75507b},
	{"black", 0x000000},
	{"gray", 0x555753},
}};
} // namespace

Result<Label> parse_label(std::string_view name)
{
	for (const auto &[n, rgb] : kLabels)
		if (n == name)
			return Label{std::string(n), rgb};
	return err("unknown label '" + std::string(name) + "' (one of: " + label_names() + ")");
}

std::string label_names()
{
	std::string s;
	for (const auto &[n, rgb] : kLabels)
		s += (s.empty() ? "" : ", ") + std::string(n);
	return s;
}

} // namespace bulkhead::gui
