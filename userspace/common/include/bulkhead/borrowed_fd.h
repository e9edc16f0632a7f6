// SPDX-License-Identifier: GPL-2.0-only
// borrowed_fd: a non-owning view of a descriptor owned elsewhere (a
// unique_fd, or a library handle such as xenevtchn's). It exists only to be
// polled; it never closes anything and must not outlive its owner.
#pragma once

namespace bulkhead {

class borrowed_fd {
public:
	constexpr borrowed_fd() = default;
	constexpr explicit borrowed_fd(int fd) : fd_(fd) {}
	constexpr int get() const { return fd_; }
	constexpr bool is_valid() const { return fd_ >= 0; }

private:
	int fd_ = -1;
};

} // namespace bulkhead
