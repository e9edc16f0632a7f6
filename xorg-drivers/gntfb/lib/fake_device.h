// SPDX-License-Identifier: GPL-2.0-only
// FakeDevice: the gntfb ioctl seam for unit tests. Buffers are heap memory,
// the pool has a page cap (ENOSPC past it, as gntfb's max_granted_pages),
// and every call is recorded.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>

#include "device.h"

namespace bulkhead::xgntfb {

class FakeDevice final : public Device {
public:
	uint64_t cap_pages = 1 << 20;
	bool fail_map = false;
	uint32_t pitch_pad = 0;   // added to the pitch the "kernel" returns
	int64_t size_delta = 0;   // added to the size it returns
	std::vector<Mode> mode_list;
	int fake_hotplug_fd = -1;
	bool hotplug = false;

	std::set<uint32_t> live;   // handles
	std::vector<uint32_t> destroyed;
	uint64_t pages = 0;
	std::map<uint32_t, uint64_t> sizes;
	int creates = 0;

	Result<DeviceBuffer> create(uint32_t width, uint32_t height, uint32_t bpp) override
	{
		creates++;
		uint32_t pitch = width * (bpp / 8);
		uint64_t size = (uint64_t(pitch) * height + 4095) / 4096 * 4096;
		if (pages + size / 4096 > cap_pages)
			return Error::from_errno("DRM_IOCTL_GNTFB_CREATE", ENOSPC);
		uint32_t h = next_++;
		live.insert(h);
		sizes[h] = size;
		pages += size / 4096;
		return DeviceBuffer{h, pitch + pitch_pad, 0x100 + h, uint64_t(int64_t(size) + size_delta)};
	}
	Result<Mapping> map(const DeviceBuffer &buf) override
	{
		if (fail_map)
			return Error::from_errno("mmap", ENOMEM);
		void *p = calloc(1, size_t(buf.size));
		return Mapping(p, size_t(buf.size), [](void *a, size_t) { free(a); });
	}
	void destroy(uint32_t handle) override
	{
		destroyed.push_back(handle);
		if (live.erase(handle))
			pages -= sizes[handle] / 4096;
	}
	Result<std::vector<Mode>> modes() override { return mode_list; }
	int hotplug_fd() const override { return fake_hotplug_fd; }
	bool drain_hotplug() override { return std::exchange(hotplug, false); }
	std::string describe() const override { return "fake"; }

private:
	uint32_t next_ = 1;
};

} // namespace bulkhead::xgntfb
