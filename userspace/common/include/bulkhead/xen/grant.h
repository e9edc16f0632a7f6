// SPDX-License-Identifier: GPL-2.0-only
// Grant tables, both sides:
//   GrantSharer (granting side, usually a guest): share N fresh pages with a
//     domain. The result owns the pages and the grants: unshared when it dies.
//   GrantMapper (mapping side, usually dom0): map a peer's refs into this
//     process. The Mapping unmaps when it dies.
// Real implementations use libxengnttab (/dev/xen/gntalloc, /dev/xen/gntdev);
// fakes for unit tests are in grant_fake.h.
#pragma once

#include <cstddef>
#include <memory>

#include "bulkhead/mapping.h"
#include "bulkhead/result.h"
#include "bulkhead/xen/types.h"

namespace bulkhead::xen {

constexpr size_t kPageSize = 4096;

// Pages shared with one domain. Move-only; destruction unshares (the grants
// are revoked; a peer still mapping them keeps the frames until it unmaps).
class SharedPages {
public:
	SharedPages() = default;
	SharedPages(Mapping mapping, GrantRefs refs, DomainId peer, bool writable)
	    : mapping_(std::move(mapping)), refs_(std::move(refs)), peer_(peer), writable_(writable)
	{
	}
	SharedPages(SharedPages &&) noexcept = default;
	SharedPages &operator=(SharedPages &&) noexcept = default;

	const Mapping &mapping() const { return mapping_; }
	std::span<std::byte> bytes() const { return mapping_.bytes(); }
	const GrantRefs &refs() const { return refs_; }
	size_t pages() const { return refs_.size(); }
	DomainId peer() const { return peer_; }
	bool peer_may_write() const { return writable_; }

private:
	Mapping mapping_;
	GrantRefs refs_;
	DomainId peer_ = 0;
	bool writable_ = false;
};

class GrantSharer {
public:
	virtual ~GrantSharer() = default;
	// Shares `pages` zeroed pages with `peer`; `peer_writable` lets the peer
	// map them writable. Fails (nothing left shared) past max_pages() in
	// total, or when the kernel or Xen refuses.
	virtual Result<SharedPages> share(DomainId peer, size_t pages, bool peer_writable) = 0;
	// This sharer's own cap on pages shared at once (0: the kernel's only).
	virtual size_t max_pages() const = 0;
	virtual size_t shared_pages() const = 0;
};

class GrantMapper {
public:
	virtual ~GrantMapper() = default;
	// Maps `refs` of domain `granter` contiguously. Fails if any ref is not
	// granted to us, or is read-only and `writable` is asked, or more than
	// max_pages() refs are asked.
	virtual Result<Mapping> map(DomainId granter, const GrantRefs &refs, bool writable) = 0;
	virtual size_t max_pages() const = 0;
};

// libxengnttab over /dev/xen/gntalloc. max_pages caps this sharer (0 = no
// cap of ours; the gntalloc module's `limit` still applies).
Result<std::unique_ptr<GrantSharer>> open_grant_sharer(size_t max_pages = 0);
// libxengnttab over /dev/xen/gntdev; max_pages caps one map() call.
Result<std::unique_ptr<GrantMapper>> open_grant_mapper(size_t max_pages = 65536);

} // namespace bulkhead::xen
