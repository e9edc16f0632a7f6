// SPDX-License-Identifier: GPL-2.0-only
#include "buffer_property.h"

namespace bulkhead::xgntfb {

std::optional<uint32_t> fourcc_for_depth(uint32_t depth)
{
	if (depth == 24)
		return kFourccXRGB8888;
	if (depth == 32)
		return kFourccARGB8888;
	return std::nullopt;
}

BufferProperty encode_buffer_property(uint32_t dir_ref, uint32_t width, uint32_t height,
				      uint32_t stride, uint32_t fourcc)
{
	return {dir_ref, width, height, stride, fourcc};
}

} // namespace bulkhead::xgntfb
