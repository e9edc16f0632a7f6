// SPDX-License-Identifier: GPL-2.0-only
// The C API of gntfb_core.h over the C++ library. Nothing throws across it.
#include "gntfb_core.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <new>

#include "buffers.h"
#include "device.h"
#include "modes.h"
#include "options.h"
#include "buffer_property.h"

using namespace bulkhead;
using namespace bulkhead::xgntfb;

struct gntfb_core {
	std::unique_ptr<Device> dev;
	std::unique_ptr<BufferTable> table;
	std::string name;
};

namespace {

void set_err(char *err, size_t len, const std::string &msg)
{
	if (err && len)
		snprintf(err, len, "%s", msg.c_str());
}

template <typename F> int guarded(char *err, size_t len, F &&f) noexcept
{
	try {
		return f();
	} catch (const std::bad_alloc &) {
		set_err(err, len, "out of memory");
		return -1;
	}
}

int dup_string(const Result<std::string> &r, char **out, char *err, size_t len)
{
	if (!r) {
		set_err(err, len, r.error().message);
		return -1;
	}
	*out = strdup(r.value().c_str());
	if (!*out) {
		set_err(err, len, "out of memory");
		return -1;
	}
	return 0;
}

} // namespace

extern "C" {

int gntfb_parse_pixmap_min_pixels(const char *value, uint32_t *out, char *err, size_t errlen)
{
	return guarded(err, errlen, [&] {
		auto r = parse_pixmap_min_pixels(value);
		if (!r) {
			set_err(err, errlen, r.error().message);
			return -1;
		}
		*out = r.value();
		return 0;
	});
}

int gntfb_parse_backend(const char *value, enum gntfb_backend *out, char *err, size_t errlen)
{
	return guarded(err, errlen, [&] {
		auto r = parse_backend(value);
		if (!r) {
			set_err(err, errlen, r.error().message);
			return -1;
		}
		*out = r.value() == Backend::Memfd ? GNTFB_BACKEND_MEMFD : GNTFB_BACKEND_GNTFB;
		return 0;
	});
}

int gntfb_parse_device(const char *value, char **out, char *err, size_t errlen)
{
	return guarded(err, errlen, [&] { return dup_string(parse_device(value), out, err, errlen); });
}

int gntfb_parse_fake_modes_file(const char *value, char **out, char *err, size_t errlen)
{
	return guarded(err, errlen,
		       [&] { return dup_string(parse_fake_modes_file(value), out, err, errlen); });
}

struct gntfb_core *gntfb_core_open(enum gntfb_backend backend, const char *device,
				   const char *fake_modes_file, char *err, size_t errlen)
{
	struct gntfb_core *core = nullptr;
	guarded(err, errlen, [&] {
		auto dev = backend == GNTFB_BACKEND_MEMFD
				   ? open_memfd_device(fake_modes_file ? fake_modes_file : "")
				   : open_drm_device(device ? device : "");
		if (!dev) {
			set_err(err, errlen, dev.error().message);
			return -1;
		}
		auto c = std::make_unique<gntfb_core>();
		c->dev = std::move(dev.value());
		c->table = std::make_unique<BufferTable>(*c->dev);
		c->name = c->dev->describe();
		core = c.release();
		return 0;
	});
	return core;
}

void gntfb_core_close(struct gntfb_core *core)
{
	if (!core)
		return;
	core->table.reset(); // buffers go back before the device closes
	delete core;
}

const char *gntfb_core_describe(const struct gntfb_core *core)
{
	return core->name.c_str();
}

int gntfb_core_modes(struct gntfb_core *core, struct gntfb_mode *modes, int max, char *err,
		     size_t errlen)
{
	return guarded(err, errlen, [&] {
		auto r = core->dev->modes();
		if (!r) {
			set_err(err, errlen, r.error().message);
			return -1;
		}
		int n = 0;
		for (const Mode &m : r.value()) {
			if (n == max)
				break;
			modes[n++] = {m.width, m.height};
		}
		return n;
	});
}

struct gntfb_mode gntfb_choose_screen_size(const struct gntfb_mode *modes, int n,
					   uint32_t virtual_w, uint32_t virtual_h)
{
	// no allocation: the first mode is all that counts
	if (n > 0)
		return modes[0];
	Mode m = choose_screen_size({}, Mode{virtual_w, virtual_h});
	return {m.width, m.height};
}

int gntfb_core_hotplug_fd(const struct gntfb_core *core)
{
	return core->dev->hotplug_fd();
}

int gntfb_core_drain_hotplug(struct gntfb_core *core)
{
	return core->dev->drain_hotplug() ? 1 : 0;
}

enum gntfb_placement gntfb_choose_placement(int width, int height, int depth, int glyph,
					    uint32_t min_pixels)
{
	switch (choose_placement(width, height, depth, glyph != 0, min_pixels)) {
	case Placement::Gntfb:
		return GNTFB_PLACE_GNTFB;
	case Placement::Small:
		return GNTFB_PLACE_SMALL;
	case Placement::Depth:
		return GNTFB_PLACE_DEPTH;
	case Placement::Glyph:
		return GNTFB_PLACE_GLYPH;
	}
	return GNTFB_PLACE_SMALL;
}

int gntfb_core_alloc(struct gntfb_core *core, uint32_t width, uint32_t height, uint32_t depth,
		     struct gntfb_buffer *out, char *err, size_t errlen)
{
	return guarded(err, errlen, [&] {
		auto r = core->table->allocate(width, height, depth);
		if (!r) {
			set_err(err, errlen, r.error().message);
			return -1;
		}
		const Buffer &b = r.value();
		*out = {b.id, b.dir_ref, b.width, b.height, b.pitch, b.fourcc, b.size, b.data};
		return 0;
	});
}

void gntfb_core_release(struct gntfb_core *core, uint32_t id)
{
	core->table->release(id);
}

size_t gntfb_core_live(const struct gntfb_core *core)
{
	return core->table->live();
}

uint64_t gntfb_core_live_bytes(const struct gntfb_core *core)
{
	return core->table->live_bytes();
}

void gntfb_encode_property(const struct gntfb_buffer *buf, uint32_t out[GNTFB_PROPERTY_VALUES])
{
	BufferProperty p =
		encode_buffer_property(buf->dir_ref, buf->width, buf->height, buf->pitch, buf->fourcc);
	memcpy(out, p.data(), sizeof(p));
}

} // extern "C"
