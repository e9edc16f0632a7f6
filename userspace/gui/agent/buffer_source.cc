// SPDX-License-Identifier: GPL-2.0-only
#include "buffer_source.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <sys/mman.h>

#include "bulkhead/mapping.h"

namespace bulkhead::gui {
namespace {

xcb_atom_t intern(xcb_connection_t *c, const char *name)
{
	auto *r = xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, uint16_t(strlen(name)), name),
					nullptr);
	xcb_atom_t a = r ? r->atom : xcb_atom_t(XCB_ATOM_NONE);
	free(r);
	return a;
}

class PropertySource final : public BufferSource {
public:
	PropertySource(xcb_connection_t *c) : c_(c), prop_(intern(c, kBufferProperty)) {}
	Result<std::optional<BufferDesc>> current(xcb_window_t w, uint32_t width,
						  uint32_t height) override
	{
		auto *r = xcb_get_property_reply(
			c_, xcb_get_property(c_, 0, w, prop_, XCB_ATOM_CARDINAL, 0, 5), nullptr);
		std::optional<BufferDesc> d;
		if (r && r->format == 32 && xcb_get_property_value_length(r) == 20) {
			const auto *v = static_cast<const uint32_t *>(xcb_get_property_value(r));
			BufferDesc b{v[0], v[1], v[2], v[3], v[4]};
			// A stale value (before the driver caught up with a resize)
			// is ignored; the next PropertyNotify brings the new one.
			if (b.width == width && b.height == height)
				d = b;
		}
		free(r);
		return d;
	}
	Result<void> prepare(xcb_window_t, const BufferDesc &, std::span<const Rect>) override
	{
		return ok();
	}
	void release(const BufferDesc &) override {}
	bool holds_pixmaps() const override { return true; }

private:
	xcb_connection_t *c_;
	xcb_atom_t prop_;
};

class CopySource final : public BufferSource {
public:
	CopySource(xcb_connection_t *c, std::shared_ptr<MemfdBufferRegistry> r)
	    : c_(c), reg_(std::move(r))
	{
	}
	Result<std::optional<BufferDesc>> current(xcb_window_t w, uint32_t width,
						  uint32_t height) override
	{
		auto it = cur_.find(w);
		if (it != cur_.end() && it->second.width == width && it->second.height == height)
			return std::optional<BufferDesc>(it->second);
		BufferDesc d{0, width, height, width * 4, kFormatXRGB8888};
		uint64_t size = uint64_t(d.stride) * height;
		TRY_ASSIGN(auto a, reg_->allocate(size));
		TRY_ASSIGN(Mapping m, Mapping::map_fd(a.fd, size, PROT_READ | PROT_WRITE, MAP_SHARED));
		d.dir_ref = a.ref;
		maps_.emplace(d.dir_ref, std::move(m));
		cur_[w] = d;
		return std::optional<BufferDesc>(d);
	}
	Result<void> prepare(xcb_window_t w, const BufferDesc &d, std::span<const Rect> rects) override
	{
		auto m = maps_.find(d.dir_ref);
		if (m == maps_.end())
			return err("copy source: unknown buffer");
		for (const Rect &r : rects) {
			auto *img = xcb_get_image_reply(
				c_,
				xcb_get_image(c_, XCB_IMAGE_FORMAT_Z_PIXMAP, w, int16_t(r.x), int16_t(r.y),
					      uint16_t(r.w), uint16_t(r.h), ~0u),
				nullptr);
			if (!img)
				continue; // window gone or resized meanwhile
			const uint8_t *src = xcb_get_image_data(img);
			size_t len = size_t(xcb_get_image_data_length(img));
			if (len >= size_t(r.w) * r.h * 4 && r.x + r.w <= d.width && r.y + r.h <= d.height) {
				auto *dst = static_cast<uint8_t *>(m->second.data());
				for (uint32_t y = 0; y < r.h; y++)
					memcpy(dst + size_t(r.y + y) * d.stride + size_t(r.x) * 4,
					       src + size_t(y) * r.w * 4, size_t(r.w) * 4);
			}
			free(img);
		}
		return ok();
	}
	void release(const BufferDesc &d) override
	{
		maps_.erase(d.dir_ref);
		reg_->release(d.dir_ref);
		for (auto it = cur_.begin(); it != cur_.end(); ++it)
			if (it->second == d) {
				cur_.erase(it);
				break;
			}
	}
	bool holds_pixmaps() const override { return false; }

private:
	xcb_connection_t *c_;
	std::shared_ptr<MemfdBufferRegistry> reg_;
	std::map<xcb_window_t, BufferDesc> cur_;
	std::map<uint32_t, Mapping> maps_;
};

} // namespace

Result<std::unique_ptr<BufferSource>> property_buffer_source(xcb_connection_t *conn)
{
	return std::unique_ptr<BufferSource>(std::make_unique<PropertySource>(conn));
}

Result<std::unique_ptr<BufferSource>> copy_buffer_source(
	xcb_connection_t *conn, std::shared_ptr<MemfdBufferRegistry> registry)
{
	return std::unique_ptr<BufferSource>(std::make_unique<CopySource>(conn, std::move(registry)));
}

} // namespace bulkhead::gui
