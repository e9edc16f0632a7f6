// SPDX-License-Identifier: GPL-2.0-only
// Secret: key bytes that are wiped when they go (explicit_bzero), never
// copied implicitly, and never printed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string.h>
#include <utility>
#include <vector>

#include "bulkhead/result.h"

namespace storage {

class Secret {
public:
	Secret() = default;
	explicit Secret(size_t len) : b_(len) {}
	Secret(std::span<const uint8_t> bytes) : b_(bytes.begin(), bytes.end()) {}
	~Secret() { wipe(); }
	Secret(const Secret &) = delete;
	Secret &operator=(const Secret &) = delete;
	Secret(Secret &&o) noexcept : b_(std::move(o.b_)) { o.b_.clear(); }
	Secret &operator=(Secret &&o) noexcept
	{
		if (this != &o) {
			wipe();
			b_ = std::move(o.b_);
			o.b_.clear();
		}
		return *this;
	}

	uint8_t *data() { return b_.data(); }
	const uint8_t *data() const { return b_.data(); }
	const char *chars() const { return reinterpret_cast<const char *>(b_.data()); }
	size_t size() const { return b_.size(); }
	bool empty() const { return b_.empty(); }
	std::span<const uint8_t> bytes() const { return b_; }
	bool operator==(const Secret &o) const { return b_ == o.b_; }

private:
	void wipe()
	{
		if (!b_.empty())
			explicit_bzero(b_.data(), b_.size());
	}
	std::vector<uint8_t> b_;
};

// LEN random bytes from getrandom(2) (blocks until the kernel's pool is ready).
bulkhead::Result<Secret> random_secret(size_t len);

} // namespace storage
