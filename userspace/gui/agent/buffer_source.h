// SPDX-License-Identifier: GPL-2.0-only
// BufferSource: where a window's pixels live, as a gntfb buffer dom0 can
// import. The seam between bulkhead-agent and the gntfb Xorg driver.
//
// Real (property_buffer_source): the gntfb Xorg driver allocates every
// redirected window's backing pixmap as a gntfb buffer and publishes it on
// the window as the property _BULKHEAD_GNTFB_BUFFER, type CARDINAL, format
// 32, five values { dir_ref, width, height, stride, drm_fourcc }, replaced
// whenever the window gets a new pixmap (map, resize). The X server renders
// straight into the granted pages: prepare() has nothing to do. The agent
// holds each pixmap (CompositeNameWindowPixmap) until dom0 acked a frame of
// a newer one, so a buffer is never freed while dom0 may read it.
//
// Host tests (copy_buffer_source): buffers are memfds from a
// MemfdBufferRegistry and prepare() copies the damaged rectangles out of
// the window with GetImage. This stands in for the driver only; pixels
// still never go through the channel.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include <xcb/xcb.h>

#include "bulkhead/gui/protocol.h"
#include "bulkhead/result.h"
#include "memfd_buffers.h"

namespace bulkhead::gui {

struct BufferDesc {
	uint32_t dir_ref = 0, width = 0, height = 0, stride = 0, format = kFormatXRGB8888;
	friend bool operator==(const BufferDesc &, const BufferDesc &) = default;
};

class BufferSource {
public:
	virtual ~BufferSource() = default;
	// The window's current buffer (called on map, resize, and when the
	// driver's property changes); nullopt while there is none of that size.
	virtual Result<std::optional<BufferDesc>> current(xcb_window_t window, uint32_t width,
							  uint32_t height) = 0;
	// Before damage on these rectangles of `buf` is sent to dom0.
	virtual Result<void> prepare(xcb_window_t window, const BufferDesc &buf,
				     std::span<const Rect> rects) = 0;
	// dom0 is done with the buffer.
	virtual void release(const BufferDesc &buf) = 0;
	// Whether buffers are window pixmaps the agent must keep alive.
	virtual bool holds_pixmaps() const = 0;
};

constexpr const char *kBufferProperty = "_BULKHEAD_GNTFB_BUFFER";

Result<std::unique_ptr<BufferSource>> property_buffer_source(xcb_connection_t *conn);
Result<std::unique_ptr<BufferSource>> copy_buffer_source(
	xcb_connection_t *conn, std::shared_ptr<MemfdBufferRegistry> registry);

} // namespace bulkhead::gui
