// SPDX-License-Identifier: GPL-2.0-only
// Device: the seam between the gntfb Xorg driver and the gntfb DRM device
// (kernel/gntfb, guest role). Everything the driver asks of the kernel goes
// through it, so the driver's bookkeeping is tested against a fake.
//
// Real (open_drm_device): DRM_IOCTL_GNTFB_CREATE for a granted buffer,
// DRM_IOCTL_MODE_MAP_DUMB + mmap of the DRM fd for the CPU mapping,
// DRM_IOCTL_GEM_CLOSE to give it back to gntfb's pool, the Virtual
// connector's mode list for dom0's output, and a NETLINK_KOBJECT_UEVENT
// socket for the hotplug uevent a mode-list change raises.
//
// Host tests only (open_memfd_device, Option "Backend" "memfd"): memfds
// stand in for granted buffers, dir refs are small counters, the mode list
// comes from a file watched with inotify. Never used on an AppVM.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bulkhead/mapping.h"
#include "bulkhead/result.h"

namespace bulkhead::xgntfb {

struct Mode {
	uint32_t width = 0, height = 0;
	friend bool operator==(const Mode &, const Mode &) = default;
};

// What DRM_IOCTL_GNTFB_CREATE returns.
struct DeviceBuffer {
	uint32_t handle = 0, pitch = 0, dir_ref = 0;
	uint64_t size = 0;
};

class Device {
public:
	virtual ~Device() = default;
	// A granted buffer of width x height pixels at bpp (32 or 16).
	virtual Result<DeviceBuffer> create(uint32_t width, uint32_t height, uint32_t bpp) = 0;
	// The CPU mapping (MAP_SHARED, read-write) of a created buffer.
	virtual Result<Mapping> map(const DeviceBuffer &buf) = 0;
	// Drop the handle: the buffer goes back to gntfb's pool. Unmap first.
	virtual void destroy(uint32_t handle) = 0;
	// dom0's output modes, preferred first; empty when the device has none.
	virtual Result<std::vector<Mode>> modes() = 0;
	// Readable when a hotplug may have arrived; -1 when there is no such fd.
	virtual int hotplug_fd() const = 0;
	// Drain hotplug_fd() without blocking; true if a hotplug arrived.
	virtual bool drain_hotplug() = 0;
	// For the log: "/dev/dri/card0", "memfd".
	virtual std::string describe() const = 0;
};

// The gntfb DRM device at `path`, or when `path` is empty the first
// /dev/dri/card* whose DRM driver name is "gntfb".
Result<std::unique_ptr<Device>> open_drm_device(const std::string &path);

// Host tests only: memfd buffers, modes from `modes_file` ("WxH WxH ...",
// first preferred; empty path: no modes), rewritten = hotplug.
Result<std::unique_ptr<Device>> open_memfd_device(const std::string &modes_file);

// The first of `cards` (sorted by name) for which driver_name() says "gntfb".
// driver_name returns nullopt for a card it cannot open.
using DriverNameFn = std::function<std::optional<std::string>(const std::string &card)>;
Result<std::string> find_gntfb_card(std::vector<std::string> cards, const DriverNameFn &driver_name);

// Whether one NETLINK_KOBJECT_UEVENT message (NUL-separated "action@devpath",
// then KEY=value strings, possibly truncated) is a DRM hotplug.
bool is_drm_hotplug_uevent(const char *msg, size_t len);

} // namespace bulkhead::xgntfb
