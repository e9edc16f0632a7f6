// SPDX-License-Identifier: GPL-2.0-only
#include "buffer_importer.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/gntfb/uapi/gntfb.h"

namespace bulkhead::gui {
namespace {

std::string buf_name(uint32_t domid, uint32_t ref)
{
	return "domain " + std::to_string(domid) + " buffer ref " + std::to_string(ref);
}

class GntfbImporter final : public BufferImporter {
public:
	explicit GntfbImporter(unique_fd dev) : dev_(std::move(dev)) {}
	Result<unique_fd> import(uint32_t domid, uint32_t dir_ref, uint64_t size) override
	{
		if (size == 0 || size > GNTFB_MAX_BUFFER_BYTES)
			return err(buf_name(domid, dir_ref) + ": bad size " + std::to_string(size));
		gntfb_import req{};
		req.domid = domid;
		req.dir_ref = dir_ref;
		req.size = size;
		req.flags = 0; // read-only: dom0 never writes guest pixels
		if (ioctl(dev_.get(), GNTFB_IOC_IMPORT, &req) < 0)
			return Error::from_errno(buf_name(domid, dir_ref) + ": import", errno);
		return unique_fd(req.fd);
	}

private:
	unique_fd dev_;
};

class MemfdImporter final : public BufferImporter {
public:
	explicit MemfdImporter(std::shared_ptr<MemfdBufferRegistry> r) : r_(std::move(r)) {}
	Result<unique_fd> import(uint32_t domid, uint32_t dir_ref, uint64_t size) override
	{
		auto fd = r_->open(dir_ref, size);
		if (!fd.ok())
			return fd.error().context(buf_name(domid, dir_ref));
		return std::move(fd).value();
	}

private:
	std::shared_ptr<MemfdBufferRegistry> r_;
};

} // namespace

Result<std::unique_ptr<BufferImporter>> gntfb_importer(const std::string &device)
{
	TRY_ASSIGN(unique_fd dev, unique_fd::open(device.empty() ? GNTFB_IMPORT_DEVICE : device,
						  O_RDWR));
	return std::unique_ptr<BufferImporter>(std::make_unique<GntfbImporter>(std::move(dev)));
}

std::unique_ptr<BufferImporter> memfd_importer(std::shared_ptr<MemfdBufferRegistry> registry)
{
	return std::make_unique<MemfdImporter>(std::move(registry));
}

} // namespace bulkhead::gui
