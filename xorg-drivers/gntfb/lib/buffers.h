// SPDX-License-Identifier: GPL-2.0-only
// BufferTable: the driver's gntfb buffers (the screen and large pixmaps).
// Each live entry holds a device handle (so the buffer stays granted) and
// its CPU mapping; release() unmaps and gives the handle back to gntfb's
// pool. Not thread-safe: the X server calls it from its main thread only.
#pragma once

#include <cstdint>
#include <map>

#include "bulkhead/mapping.h"
#include "bulkhead/result.h"
#include "device.h"

namespace bulkhead::xgntfb {

struct Buffer {
	uint32_t id = 0; // the device handle; unique among live buffers
	uint32_t dir_ref = 0, width = 0, height = 0, pitch = 0, fourcc = 0;
	uint64_t size = 0;
	void *data = nullptr;
};

// Where a pixmap's pixels go.
enum class Placement {
	Gntfb,    // a gntfb buffer
	Small,    // under PixmapMinPixels (or empty)
	Depth,    // not depth 24/32: no DRM format dom0 could show
	Glyph,    // glyph pictures: many, tiny, never shown by dom0
};

// The size class choice for CreatePixmap.
Placement choose_placement(int width, int height, int depth, bool glyph, uint32_t min_pixels);

class BufferTable {
public:
	explicit BufferTable(Device &dev) : dev_(dev) {}
	~BufferTable();
	BufferTable(const BufferTable &) = delete;
	BufferTable &operator=(const BufferTable &) = delete;

	// A mapped gntfb buffer of width x height at depth 24 or 32.
	Result<Buffer> allocate(uint32_t width, uint32_t height, uint32_t depth);
	// Unmap and give the buffer back; unknown ids are ignored.
	void release(uint32_t id);

	size_t live() const { return bufs_.size(); }
	uint64_t live_bytes() const { return live_bytes_; }
	uint64_t failures() const { return failures_; }

private:
	struct Entry {
		Buffer buf;
		Mapping map;
	};
	Device &dev_;
	std::map<uint32_t, Entry> bufs_;
	uint64_t live_bytes_ = 0, failures_ = 0;
};

} // namespace bulkhead::xgntfb
