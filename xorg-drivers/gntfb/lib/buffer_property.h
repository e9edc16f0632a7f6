// SPDX-License-Identifier: GPL-2.0-only
// The window property the gntfb Xorg driver publishes for bulkhead-agent
// (Documentation/desktop.rst, "The buffer seam"):
//   _BULKHEAD_GNTFB_BUFFER, type CARDINAL, format 32, five values
//   { dir_ref, width, height, stride (bytes), DRM fourcc }.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace bulkhead::xgntfb {

constexpr const char *kBufferProperty = "_BULKHEAD_GNTFB_BUFFER";
constexpr uint32_t kFourccXRGB8888 = 0x34325258; // 'XR24'
constexpr uint32_t kFourccARGB8888 = 0x34325241; // 'AR24'

// Depth 24 is XRGB8888, depth 32 ARGB8888; nothing else is a gntfb buffer.
std::optional<uint32_t> fourcc_for_depth(uint32_t depth);

using BufferProperty = std::array<uint32_t, 5>;
BufferProperty encode_buffer_property(uint32_t dir_ref, uint32_t width, uint32_t height,
				      uint32_t stride, uint32_t fourcc);

} // namespace bulkhead::xgntfb
