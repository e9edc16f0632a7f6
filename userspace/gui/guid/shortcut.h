// SPDX-License-Identifier: GPL-2.0-only
// Keyboard shortcuts guid intercepts ("ctrl+shift+c"): parsing, and
// matching an X key event against the keyboard mapping. No X connection
// here: the mapping is passed in (GetKeyboardMapping's reply).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bulkhead/result.h"

namespace bulkhead::gui {

// X modifier masks (core protocol).
constexpr uint16_t kModShift = 1, kModControl = 4, kModAlt = 8, kModSuper = 64;

struct Shortcut {
	uint16_t mods = 0;    // kMod* that must be down, and no other of them
	uint32_t keysym = 0;  // unshifted keysym (lower-case for letters)
	std::string text;     // as given, for messages
};

// "ctrl+shift+c", "alt+Insert", "super+F5": modifiers ctrl|control, shift,
// alt|mod1, super|mod4|win, then one key: a letter, a digit, F1..F12,
// Insert, or 0xHEX (a keysym). At least one modifier.
Result<Shortcut> parse_shortcut(std::string_view s);

class Keymap {
public:
	Keymap() = default;
	Keymap(uint8_t min_keycode, uint8_t per_keycode, std::vector<uint32_t> keysyms)
	    : min_(min_keycode), per_(per_keycode), syms_(std::move(keysyms))
	{
	}
	// The keycode's first (unshifted) keysym; 0 if unmapped.
	uint32_t keysym(uint8_t keycode) const;
	// The first keycode producing keysym unshifted; 0 if none.
	uint8_t keycode(uint32_t keysym) const;
	bool matches(const Shortcut &s, uint8_t keycode, uint16_t state) const;

private:
	uint8_t min_ = 8, per_ = 0;
	std::vector<uint32_t> syms_;
};

} // namespace bulkhead::gui
