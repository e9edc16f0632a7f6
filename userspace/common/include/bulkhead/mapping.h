// SPDX-License-Identifier: GPL-2.0-only
// Mapping: the one owner of a memory mapping. mmap(2) mappings unmap with
// munmap; other kinds (grant maps, foreign maps) pass their own releaser.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <utility>

#include "bulkhead/result.h"
#include "bulkhead/unique_fd.h"

namespace bulkhead {

class Mapping {
public:
	using Releaser = std::function<void(void *, size_t)>;

	Mapping() = default;
	Mapping(void *addr, size_t len, Releaser release)
	    : addr_(addr), len_(len), release_(std::move(release))
	{
	}
	~Mapping() { reset(); }
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	Mapping(Mapping &&o) noexcept
	    : addr_(std::exchange(o.addr_, nullptr)), len_(std::exchange(o.len_, 0)),
	      release_(std::move(o.release_))
	{
	}
	Mapping &operator=(Mapping &&o) noexcept
	{
		if (this != &o) {
			reset();
			addr_ = std::exchange(o.addr_, nullptr);
			len_ = std::exchange(o.len_, 0);
			release_ = std::move(o.release_);
		}
		return *this;
	}

	void *data() const { return addr_; }
	size_t size() const { return len_; }
	bool is_valid() const { return addr_ != nullptr; }
	std::span<std::byte> bytes() const { return {static_cast<std::byte *>(addr_), len_}; }

	void reset();

	// mmap(2) of len bytes of fd at offset; len 0 is refused.
	static Result<Mapping> map_fd(const unique_fd &fd, size_t len, int prot, int flags,
				      off_t offset = 0);

private:
	void *addr_ = nullptr;
	size_t len_ = 0;
	Releaser release_;
};

} // namespace bulkhead
