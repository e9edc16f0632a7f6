// SPDX-License-Identifier: GPL-2.0-only
#include "modes.h"

#include <algorithm>
#include <charconv>

namespace bulkhead::xgntfb {

bool mode_in_bounds(Mode m)
{
	return m.width >= kMinModeSize && m.width <= kMaxModeWidth && m.height >= kMinModeSize &&
	       m.height <= kMaxModeHeight;
}

namespace {

bool parse_u32(std::string_view s, uint32_t &out)
{
	if (s.empty() || s.size() > 5)
		return false;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
	return ec == std::errc() && p == s.data() + s.size();
}

bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

Result<std::vector<Mode>> parse_mode_list(std::string_view text)
{
	std::vector<Mode> modes;
	size_t i = 0;
	while (i < text.size()) {
		if (is_space(text[i])) {
			i++;
			continue;
		}
		size_t end = i;
		while (end < text.size() && !is_space(text[end]))
			end++;
		std::string_view tok = text.substr(i, end - i);
		i = end;
		size_t x = tok.find('x');
		Mode m;
		if (x == std::string_view::npos || !parse_u32(tok.substr(0, x), m.width) ||
		    !parse_u32(tok.substr(x + 1), m.height))
			return err("mode list: bad mode '" + std::string(tok) + "' (want WxH)");
		if (!mode_in_bounds(m))
			return err("mode list: " + std::string(tok) + " outside 64..16384 x 64..6144");
		if (modes.size() == kMaxModes)
			return err("mode list: more than 16 modes");
		modes.push_back(m);
	}
	return modes;
}

std::vector<Mode> order_connector_modes(const std::vector<ConnectorMode> &in)
{
	std::vector<Mode> out;
	auto add = [&out](Mode m) {
		if (mode_in_bounds(m) && out.size() < kMaxModes &&
		    std::find(out.begin(), out.end(), m) == out.end())
			out.push_back(m);
	};
	for (const ConnectorMode &c : in)
		if (c.preferred) {
			add(c.mode);
			break;
		}
	for (const ConnectorMode &c : in)
		add(c.mode);
	return out;
}

Mode choose_screen_size(const std::vector<Mode> &modes, Mode virtual_size)
{
	if (!modes.empty())
		return modes.front();
	if (mode_in_bounds(virtual_size))
		return virtual_size;
	return kDefaultMode;
}

} // namespace bulkhead::xgntfb
