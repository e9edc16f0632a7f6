// SPDX-License-Identifier: GPL-2.0-only
// unique_fd: the one owner of a file descriptor (fbl::unique_fd shape).
#pragma once

#include <string>
#include <utility>

#include "bulkhead/result.h"

namespace bulkhead {

class unique_fd {
public:
	unique_fd() = default;
	explicit unique_fd(int fd) : fd_(fd) {}
	~unique_fd() { reset(); }
	unique_fd(const unique_fd &) = delete;
	unique_fd &operator=(const unique_fd &) = delete;
	unique_fd(unique_fd &&o) noexcept : fd_(o.release()) {}
	unique_fd &operator=(unique_fd &&o) noexcept
	{
		reset(o.release());
		return *this;
	}

	int get() const { return fd_; }
	bool is_valid() const { return fd_ >= 0; }
	explicit operator bool() const { return is_valid(); }
	int release() { return std::exchange(fd_, -1); }
	void reset(int fd = -1);

	// open(2) with O_CLOEXEC; the error names the path.
	static Result<unique_fd> open(const std::string &path, int flags, int mode = 0);

private:
	int fd_ = -1;
};

} // namespace bulkhead
