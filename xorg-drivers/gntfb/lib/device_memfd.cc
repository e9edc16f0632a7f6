// SPDX-License-Identifier: GPL-2.0-only
// Host tests only: memfds stand in for granted buffers (Option "Backend"
// "memfd"). A buffer's memfd is named "gntfb-<dir_ref>", so a test finds it
// in /proc/<Xorg>/fd and reads the pixels the X server drew.
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <unistd.h>

#include "device.h"
#include "modes.h"

namespace bulkhead::xgntfb {
namespace {

constexpr uint64_t kPage = 4096;

class MemfdDevice final : public Device {
public:
	MemfdDevice(std::string modes_file, unique_fd inotify)
	    : modes_file_(std::move(modes_file)), inotify_(std::move(inotify))
	{
	}

	Result<DeviceBuffer> create(uint32_t width, uint32_t height, uint32_t bpp) override
	{
		if (!width || !height || width > kMaxModeWidth || height > kMaxModeHeight ||
		    (bpp != 32 && bpp != 16))
			return Error::from_errno("memfd create", EINVAL);
		uint32_t ref = next_ref_++;
		std::string name = "gntfb-" + std::to_string(ref);
		unique_fd fd(memfd_create(name.c_str(), MFD_CLOEXEC));
		if (!fd)
			return Error::from_errno("memfd_create", errno);
		uint32_t pitch = width * (bpp / 8);
		uint64_t size = (uint64_t(pitch) * height + kPage - 1) / kPage * kPage;
		if (ftruncate(fd.get(), off_t(size)))
			return Error::from_errno("memfd ftruncate", errno);
		fds_.emplace(ref, std::move(fd));
		return DeviceBuffer{ref, pitch, ref, size};
	}

	Result<Mapping> map(const DeviceBuffer &buf) override
	{
		auto it = fds_.find(buf.handle);
		if (it == fds_.end())
			return Error::from_errno("memfd map", ENOENT);
		return Mapping::map_fd(it->second, size_t(buf.size), PROT_READ | PROT_WRITE,
				       MAP_SHARED);
	}

	void destroy(uint32_t handle) override { fds_.erase(handle); }

	Result<std::vector<Mode>> modes() override
	{
		if (modes_file_.empty())
			return std::vector<Mode>();
		TRY_ASSIGN(unique_fd fd, unique_fd::open(modes_file_, O_RDONLY));
		// 16 modes of "16384x6144 " fit easily; more is not a mode list
		char buf[1024];
		size_t len = 0;
		for (;;) {
			ssize_t n = read(fd.get(), buf + len, sizeof(buf) - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return Error::from_errno(modes_file_, errno);
			if (n == 0)
				break;
			len += size_t(n);
			if (len == sizeof(buf))
				return err(modes_file_ + ": longer than 1024 bytes");
		}
		return parse_mode_list(std::string_view(buf, len));
	}

	int hotplug_fd() const override { return inotify_.get(); }

	bool drain_hotplug() override
	{
		bool any = false;
		alignas(struct inotify_event) char buf[4096];
		while (read(inotify_.get(), buf, sizeof(buf)) > 0)
			any = true;
		return any;
	}

	std::string describe() const override { return "memfd (host tests only)"; }

private:
	std::string modes_file_;
	unique_fd inotify_;
	std::map<uint32_t, unique_fd> fds_;
	uint32_t next_ref_ = 1;
};

} // namespace

Result<std::unique_ptr<Device>> open_memfd_device(const std::string &modes_file)
{
	unique_fd in;
	if (!modes_file.empty()) {
		in.reset(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
		if (!in)
			return Error::from_errno("inotify_init1", errno);
		// The file itself: a test rewrites it in place (IN_CLOSE_WRITE).
		if (inotify_add_watch(in.get(), modes_file.c_str(), IN_CLOSE_WRITE) < 0)
			return Error::from_errno(modes_file + ": inotify_add_watch", errno);
	}
	return std::unique_ptr<Device>(
		std::make_unique<MemfdDevice>(modes_file, std::move(in)));
}

} // namespace bulkhead::xgntfb
