// SPDX-License-Identifier: GPL-2.0-only
// Hex encoding of byte strings (lower case), and strict decoding of
// user-supplied hex (a length mismatch or a non-hex digit is an error).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bulkhead/result.h"

namespace bulkhead {

inline std::string to_hex(std::span<const uint8_t> bytes)
{
	static constexpr char digits[] = "0123456789abcdef";
	std::string out;
	out.reserve(bytes.size() * 2);
	for (uint8_t b : bytes) {
		out.push_back(digits[b >> 4]);
		out.push_back(digits[b & 0xf]);
	}
	return out;
}

// Decodes exactly `len` bytes (2 * len hex digits, either case).
inline Result<std::vector<uint8_t>> from_hex(std::string_view hex, size_t len)
{
	auto nibble = [](char c) -> int {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		if (c >= 'A' && c <= 'F')
			return c - 'A' + 10;
		return -1;
	};
	if (hex.size() != len * 2)
		return err("expected " + std::to_string(len * 2) + " hex digits, got " +
			   std::to_string(hex.size()));
	std::vector<uint8_t> out(len);
	for (size_t i = 0; i < len; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return err("not a hex digit at position " +
				   std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
		out[i] = static_cast<uint8_t>(hi << 4 | lo);
	}
	return out;
}

} // namespace bulkhead
