// SPDX-License-Identifier: GPL-2.0-only
// The real Device: the gntfb DRM device, guest role.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "device.h"
#include "kernel/gntfb/uapi/gntfb.h"
#include "modes.h"

namespace bulkhead::xgntfb {

bool is_drm_hotplug_uevent(const char *msg, size_t len)
{
	bool drm = false, hotplug = false;
	size_t i = 0;
	while (i < len) {
		const char *s = msg + i;
		const void *nul = memchr(s, '\0', len - i);
		size_t n = nul ? size_t(static_cast<const char *>(nul) - s) : len - i;
		std::string_view kv(s, n);
		if (kv == "SUBSYSTEM=drm")
			drm = true;
		else if (kv == "HOTPLUG=1")
			hotplug = true;
		i += n + 1;
	}
	return drm && hotplug;
}

Result<std::string> find_gntfb_card(std::vector<std::string> cards, const DriverNameFn &driver_name)
{
	std::sort(cards.begin(), cards.end());
	for (const std::string &c : cards) {
		auto name = driver_name(c);
		if (name && *name == "gntfb")
			return c;
	}
	return err("no DRM card with driver gntfb (is gntfb.ko loaded in guest role?)");
}

namespace {

std::optional<std::string> drm_driver_name(const std::string &path)
{
	auto fd = unique_fd::open(path, O_RDWR);
	if (!fd)
		return std::nullopt;
	drmVersionPtr v = drmGetVersion(fd->get());
	if (!v)
		return std::nullopt;
	std::string name(v->name ? v->name : "");
	drmFreeVersion(v);
	return name;
}

std::vector<std::string> list_cards(const char *dir)
{
	std::vector<std::string> cards;
	DIR *d = opendir(dir);
	if (!d)
		return cards;
	while (struct dirent *e = readdir(d))
		if (strncmp(e->d_name, "card", 4) == 0)
			cards.push_back(std::string(dir) + "/" + e->d_name);
	closedir(d);
	return cards;
}

class DrmDevice final : public Device {
public:
	DrmDevice(std::string path, unique_fd fd, unique_fd uevent)
	    : path_(std::move(path)), fd_(std::move(fd)), uevent_(std::move(uevent))
	{
	}

	Result<DeviceBuffer> create(uint32_t width, uint32_t height, uint32_t bpp) override
	{
		struct drm_gntfb_create c = {};
		c.width = width;
		c.height = height;
		c.bpp = bpp;
		if (drmIoctl(fd_.get(), DRM_IOCTL_GNTFB_CREATE, &c))
			return Error::from_errno("DRM_IOCTL_GNTFB_CREATE", errno);
		return DeviceBuffer{c.handle, c.pitch, c.dir_ref, c.size};
	}

	Result<Mapping> map(const DeviceBuffer &buf) override
	{
		struct drm_mode_map_dumb m = {};
		m.handle = buf.handle;
		if (drmIoctl(fd_.get(), DRM_IOCTL_MODE_MAP_DUMB, &m))
			return Error::from_errno("DRM_IOCTL_MODE_MAP_DUMB", errno);
		return Mapping::map_fd(fd_, size_t(buf.size), PROT_READ | PROT_WRITE, MAP_SHARED,
				       off_t(m.offset));
	}

	void destroy(uint32_t handle) override
	{
		struct drm_gem_close c = {};
		c.handle = handle;
		drmIoctl(fd_.get(), DRM_IOCTL_GEM_CLOSE, &c);
	}

	Result<std::vector<Mode>> modes() override
	{
		drmModeResPtr res = drmModeGetResources(fd_.get());
		if (!res)
			return Error::from_errno(path_ + ": drmModeGetResources", errno);
		std::vector<ConnectorMode> all;
		for (int i = 0; i < res->count_connectors; i++) {
			// Probes the connector: the kernel re-reads nothing, gntfb
			// keeps the list XenStore gave it.
			drmModeConnectorPtr c = drmModeGetConnector(fd_.get(), res->connectors[i]);
			if (!c)
				continue;
			for (int j = 0; j < c->count_modes; j++)
				all.push_back({{c->modes[j].hdisplay, c->modes[j].vdisplay},
					       (c->modes[j].type & DRM_MODE_TYPE_PREFERRED) != 0});
			drmModeFreeConnector(c);
		}
		drmModeFreeResources(res);
		return order_connector_modes(all);
	}

	int hotplug_fd() const override { return uevent_.get(); }

	bool drain_hotplug() override
	{
		bool hotplug = false;
		char buf[4096];
		for (;;) {
			struct sockaddr_nl from = {};
			struct iovec iov = {buf, sizeof(buf)};
			struct msghdr mh = {};
			mh.msg_name = &from;
			mh.msg_namelen = sizeof(from);
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			ssize_t n = recvmsg(uevent_.get(), &mh, MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) // EAGAIN, or ENOBUFS after an overrun: look anyway
				return hotplug || errno == ENOBUFS;
			// only the kernel's own uevents (port 0), never a process's
			if (from.nl_pid == 0 && is_drm_hotplug_uevent(buf, size_t(n)))
				hotplug = true;
		}
	}

	std::string describe() const override { return path_; }

private:
	std::string path_;
	unique_fd fd_, uevent_;
};

Result<unique_fd> open_uevent_socket()
{
	unique_fd s(socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			   NETLINK_KOBJECT_UEVENT));
	if (!s)
		return Error::from_errno("uevent socket", errno);
	struct sockaddr_nl sa = {};
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = 1; // the kernel's uevents
	if (bind(s.get(), reinterpret_cast<struct sockaddr *>(&sa), sizeof(sa)))
		return Error::from_errno("uevent socket: bind", errno);
	return s;
}

} // namespace

Result<std::unique_ptr<Device>> open_drm_device(const std::string &path)
{
	std::string p = path;
	if (p.empty()) {
		TRY_ASSIGN(p, find_gntfb_card(list_cards("/dev/dri"), drm_driver_name));
	}
	TRY_ASSIGN(unique_fd fd, unique_fd::open(p, O_RDWR));
	drmVersionPtr v = drmGetVersion(fd.get());
	std::string name = v && v->name ? v->name : "";
	if (v)
		drmFreeVersion(v);
	if (name != "gntfb")
		return err(p + ": DRM driver is '" + name + "', not gntfb");
	// Without uevents the driver still works at the startup size.
	auto ue = open_uevent_socket();
	unique_fd uevent = ue ? std::move(ue.value()) : unique_fd();
	return std::unique_ptr<Device>(std::make_unique<DrmDevice>(p, std::move(fd), std::move(uevent)));
}

} // namespace bulkhead::xgntfb
