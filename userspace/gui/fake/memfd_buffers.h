// SPDX-License-Identifier: GPL-2.0-only
// MemfdBufferRegistry: the host-test stand-in for gntfb buffers and their
// grants (see buffer_importer.h and agent/buffer_source.h).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <utility>

#include "bulkhead/result.h"
#include "bulkhead/unique_fd.h"

namespace bulkhead::gui {

// Stand-in for grants in host tests: buffers are memfds, refs are small
// integers. Shared (thread-safe) between a fake agent-side source that
// allocates and the memfd importer in guid.
class MemfdBufferRegistry {
public:
	struct Allocation {
		uint32_t ref;
		unique_fd fd; // a dup: the caller maps it to write pixels
	};
	Result<Allocation> allocate(uint64_t size);
	void release(uint32_t ref);
	// A dup of the buffer's fd; errors for unknown refs and short buffers.
	Result<unique_fd> open(uint32_t ref, uint64_t min_size);
	size_t live() const;

private:
	mutable std::mutex lock_; // protects everything below
	uint32_t next_ref_ = 1;
	std::map<uint32_t, std::pair<unique_fd, uint64_t>> bufs_;
};

} // namespace bulkhead::gui
