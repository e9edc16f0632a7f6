// SPDX-License-Identifier: GPL-2.0-only
#include "shortcut.h"

#include <cctype>

namespace bulkhead::gui {

Result<Shortcut> parse_shortcut(std::string_view s)
{
	Shortcut sc;
	sc.text = s;
	std::vector<std::string> parts;
	std::string cur;
	for (char c : s) {
		if (c == '+') {
			parts.push_back(cur);
			cur.clear();
		} else {
			cur.push_back(c);
		}
	}
	parts.push_back(cur);
	auto bad = [&](const std::string &why) { return err("shortcut '" + std::string(s) + "': " + why); };
	if (parts.size() < 2)
		return bad("needs at least one modifier and a key");
	for (size_t i = 0; i + 1 < parts.size(); i++) {
		std::string m;
		for (char c : parts[i])
			m.push_back(char(std::tolower(static_cast<unsigned char>(c))));
		uint16_t bit = m == "ctrl" || m == "control" ? kModControl
			       : m == "shift"		      ? kModShift
			       : m == "alt" || m == "mod1"    ? kModAlt
			       : m == "super" || m == "mod4" || m == "win" ? kModSuper
									 : 0;
		if (!bit)
			return bad("unknown modifier '" + parts[i] + "'");
		if (sc.mods & bit)
			return bad("modifier '" + parts[i] + "' twice");
		sc.mods |= bit;
	}
	const std::string &k = parts.back();
	if (k.size() == 1 && std::isalnum(static_cast<unsigned char>(k[0]))) {
		sc.keysym = uint32_t(std::tolower(static_cast<unsigned char>(k[0])));
	} else if ((k[0] == 'F' || k[0] == 'f') && k.size() <= 3 && k.size() >= 2 &&
		   std::isdigit(static_cast<unsigned char>(k[1])) &&
		   (k.size() == 2 || std::isdigit(static_cast<unsigned char>(k[2])))) {
		int n = std::stoi(k.substr(1));
		if (n < 1 || n > 12)
			return bad("function keys are F1..F12");
		sc.keysym = 0xffbe + uint32_t(n - 1);
	} else if (k == "Insert" || k == "insert") {
		sc.keysym = 0xff63;
	} else if (k.size() > 2 && k.size() <= 10 && k[0] == '0' && (k[1] == 'x' || k[1] == 'X')) {
		uint32_t v = 0;
		for (size_t i = 2; i < k.size(); i++) {
			if (!std::isxdigit(static_cast<unsigned char>(k[i])))
				return bad("bad hex keysym");
			v = v * 16 + uint32_t(std::isdigit(static_cast<unsigned char>(k[i]))
						      ? k[i] - '0'
						      : std::tolower(static_cast<unsigned char>(k[i])) - 'a' + 10);
		}
		if (v == 0)
			return bad("keysym 0");
		sc.keysym = v;
	} else {
		return bad("unknown key '" + k + "'");
	}
	return sc;
}

uint32_t Keymap::keysym(uint8_t keycode) const
{
	if (!per_ || keycode < min_)
		return 0;
	size_t i = size_t(keycode - min_) * per_;
	if (i >= syms_.size())
		return 0;
	uint32_t k = syms_[i];
	// Latin capitals as the first keysym (some layouts): compare lower case.
	if (k >= 'A' && k <= 'Z')
		k += 'a' - 'A';
	return k;
}

uint8_t Keymap::keycode(uint32_t sym) const
{
	if (!per_)
		return 0;
	for (size_t i = 0; i < syms_.size(); i += per_) {
		uint8_t kc = uint8_t(min_ + i / per_);
		if (keysym(kc) == sym)
			return kc;
	}
	return 0;
}

bool Keymap::matches(const Shortcut &s, uint8_t keycode, uint16_t state) const
{
	uint16_t relevant = state & (kModShift | kModControl | kModAlt | kModSuper);
	return relevant == s.mods && keysym(keycode) == s.keysym;
}

} // namespace bulkhead::gui
