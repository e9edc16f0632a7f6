// SPDX-License-Identifier: GPL-2.0-only
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bulkhead/mapping.h"
#include "bulkhead/result.h"
#include "bulkhead/unique_fd.h"

namespace bulkhead {

Error Error::from_errno(std::string what, int e)
{
	return Error{std::move(what) + ": " + std::strerror(e)};
}

void unique_fd::reset(int fd)
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = fd;
}

Result<unique_fd> unique_fd::open(const std::string &path, int flags, int mode)
{
	int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
	if (fd < 0)
		return Error::from_errno(path, errno);
	return unique_fd(fd);
}

void Mapping::reset()
{
	if (addr_ && release_)
		release_(addr_, len_);
	addr_ = nullptr;
	len_ = 0;
	release_ = nullptr;
}

Result<Mapping> Mapping::map_fd(const unique_fd &fd, size_t len, int prot, int flags, off_t offset)
{
	if (len == 0)
		return err("mmap: zero length");
	void *p = ::mmap(nullptr, len, prot, flags, fd.get(), offset);
	if (p == MAP_FAILED)
		return Error::from_errno("mmap", errno);
	return Mapping(p, len, [](void *a, size_t l) { ::munmap(a, l); });
}

} // namespace bulkhead
