// SPDX-License-Identifier: GPL-2.0-only
#include "buffers.h"

#include "modes.h"
#include "buffer_property.h"

namespace bulkhead::xgntfb {

Placement choose_placement(int width, int height, int depth, bool glyph, uint32_t min_pixels)
{
	if (glyph)
		return Placement::Glyph;
	if (!fourcc_for_depth(uint32_t(depth > 0 ? depth : 0)))
		return Placement::Depth;
	if (width <= 0 || height <= 0 || uint64_t(width) * uint64_t(height) < min_pixels)
		return Placement::Small;
	return Placement::Gntfb;
}

BufferTable::~BufferTable()
{
	while (!bufs_.empty())
		release(bufs_.begin()->first);
}

Result<Buffer> BufferTable::allocate(uint32_t width, uint32_t height, uint32_t depth)
{
	auto fourcc = fourcc_for_depth(depth);
	auto fail = [this](Error e) {
		failures_++;
		return e;
	};
	if (!fourcc)
		return fail(err("gntfb buffer: depth " + std::to_string(depth) + " (want 24 or 32)"));
	if (width == 0 || height == 0 || width > kMaxModeWidth || height > kMaxModeHeight)
		return fail(err("gntfb buffer: " + std::to_string(width) + "x" +
				std::to_string(height) + " outside 1..16384 x 1..6144"));
	auto created = dev_.create(width, height, 32);
	if (!created)
		return fail(created.error().context("gntfb buffer " + std::to_string(width) + "x" +
						    std::to_string(height)));
	const DeviceBuffer &d = created.value();
	// fb writes pitch * height bytes through the mapping: check what the
	// device said before handing the pointer out.
	if (d.pitch < width * 4 || d.pitch % 4 || d.size < uint64_t(d.pitch) * height ||
	    bufs_.count(d.handle)) {
		dev_.destroy(d.handle);
		return fail(err("gntfb buffer: device returned pitch " + std::to_string(d.pitch) +
				", size " + std::to_string(d.size) + " for " +
				std::to_string(width) + "x" + std::to_string(height)));
	}
	auto map = dev_.map(d);
	if (!map) {
		dev_.destroy(d.handle);
		return fail(map.error().context("gntfb buffer: map"));
	}
	Buffer b{d.handle, d.dir_ref, width, height, d.pitch, *fourcc, d.size, map->data()};
	bufs_.emplace(d.handle, Entry{b, std::move(map.value())});
	live_bytes_ += d.size;
	return b;
}

void BufferTable::release(uint32_t id)
{
	auto it = bufs_.find(id);
	if (it == bufs_.end())
		return;
	live_bytes_ -= it->second.buf.size;
	it->second.map.reset();
	dev_.destroy(id);
	bufs_.erase(it);
}

} // namespace bulkhead::xgntfb
