// SPDX-License-Identifier: GPL-2.0-only
#include "memfd_buffers.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace bulkhead::gui {

Result<MemfdBufferRegistry::Allocation> MemfdBufferRegistry::allocate(uint64_t size)
{
	unique_fd fd(memfd_create("bulkhead-gui-buffer", MFD_CLOEXEC));
	if (!fd)
		return Error::from_errno("memfd_create", errno);
	if (ftruncate(fd.get(), off_t(size)) < 0)
		return Error::from_errno("ftruncate", errno);
	unique_fd dup(fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
	if (!dup)
		return Error::from_errno("dup", errno);
	std::lock_guard g(lock_);
	uint32_t ref = next_ref_++;
	bufs_.emplace(ref, std::pair(std::move(fd), size));
	return Allocation{ref, std::move(dup)};
}

void MemfdBufferRegistry::release(uint32_t ref)
{
	std::lock_guard g(lock_);
	bufs_.erase(ref);
}

Result<unique_fd> MemfdBufferRegistry::open(uint32_t ref, uint64_t min_size)
{
	std::lock_guard g(lock_);
	auto it = bufs_.find(ref);
	if (it == bufs_.end())
		return err("no such buffer");
	if (it->second.second < min_size)
		return err("buffer of " + std::to_string(it->second.second) +
			   " bytes, need " + std::to_string(min_size));
	unique_fd dup(fcntl(it->second.first.get(), F_DUPFD_CLOEXEC, 0));
	if (!dup)
		return Error::from_errno("dup", errno);
	return dup;
}

size_t MemfdBufferRegistry::live() const
{
	std::lock_guard g(lock_);
	return bufs_.size();
}

} // namespace bulkhead::gui
