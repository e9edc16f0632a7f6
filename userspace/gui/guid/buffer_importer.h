// SPDX-License-Identifier: GPL-2.0-only
// BufferImporter: turns a guest buffer (domain, gntfb directory ref, size)
// into an fd that the dom0 X server maps with MIT-SHM ShmAttachFd. Real:
// gntfb's dom0 importer (/dev/gntfb-import). Host tests: memfds from a
// MemfdBufferRegistry standing in for the grant table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "bulkhead/result.h"
#include "bulkhead/unique_fd.h"
#include "memfd_buffers.h"

namespace bulkhead::gui {

class BufferImporter {
public:
	virtual ~BufferImporter() = default;
	// An fd whose st_size is at least `size`, mapping the guest's buffer.
	// Errors name the domain and ref (a bad ref is the guest's fault).
	virtual Result<unique_fd> import(uint32_t domid, uint32_t dir_ref, uint64_t size) = 0;
};

// /dev/gntfb-import (kernel/gntfb/uapi/gntfb.h, GNTFB_IOC_IMPORT).
Result<std::unique_ptr<BufferImporter>> gntfb_importer(const std::string &device = "");

std::unique_ptr<BufferImporter> memfd_importer(std::shared_ptr<MemfdBufferRegistry> registry);

} // namespace bulkhead::gui
