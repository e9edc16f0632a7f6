// SPDX-License-Identifier: GPL-2.0-only
// GrantSharer / GrantMapper over libxengnttab.
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <sys/mman.h>
#include <vector>

extern "C" {
#include <xengnttab.h>
}

#include "bulkhead/xen/grant.h"

namespace bulkhead::xen {

namespace {

std::string dom(DomainId d) { return "dom" + std::to_string(d); }

struct SharerState {
	xengntshr_handle *h = nullptr;
	std::mutex lock; // protects shared
	size_t shared = 0;
	~SharerState()
	{
		if (h)
			xengntshr_close(h);
	}
};

class XenGrantSharer final : public GrantSharer {
public:
	XenGrantSharer(std::shared_ptr<SharerState> st, size_t max) : st_(std::move(st)), max_(max) {}

	Result<SharedPages> share(DomainId peer, size_t pages, bool peer_writable) override
	{
		std::string what = "grant share of " + std::to_string(pages) + " page(s) with " + dom(peer);
		if (pages == 0)
			return err(what + ": zero pages");
		{
			std::lock_guard g(st_->lock);
			if (max_ && st_->shared + pages > max_)
				return err(what + ": over this sharer's limit of " + std::to_string(max_) +
					   " pages (" + std::to_string(st_->shared) + " already shared)");
		}
		std::vector<uint32_t> raw(pages);
		void *p = xengntshr_share_pages(st_->h, peer, static_cast<int>(pages), raw.data(),
						peer_writable ? 1 : 0);
		if (!p) {
			int e = errno;
			if (e == ENOSPC)
				return err(what + ": grant limit reached (gntalloc module `limit` or the "
						  "domain's grant table is full): " + std::strerror(e));
			return Error::from_errno(what + ": xengntshr_share_pages", e);
		}
		{
			std::lock_guard g(st_->lock);
			st_->shared += pages;
		}
		std::vector<GrantRef> refs;
		refs.reserve(pages);
		for (uint32_t r : raw)
			refs.push_back(GrantRef{r});
		auto st = st_;
		Mapping m(p, pages * kPageSize, [st](void *a, size_t len) {
			xengntshr_unshare(st->h, a, static_cast<uint32_t>(len / kPageSize));
			std::lock_guard g(st->lock);
			st->shared -= len / kPageSize;
		});
		return SharedPages(std::move(m), GrantRefs(std::move(refs)), peer, peer_writable);
	}

	size_t max_pages() const override { return max_; }
	size_t shared_pages() const override
	{
		std::lock_guard g(st_->lock);
		return st_->shared;
	}

private:
	std::shared_ptr<SharerState> st_;
	size_t max_;
};

struct MapperState {
	xengnttab_handle *h = nullptr;
	~MapperState()
	{
		if (h)
			xengnttab_close(h);
	}
};

class XenGrantMapper final : public GrantMapper {
public:
	XenGrantMapper(std::shared_ptr<MapperState> st, size_t max) : st_(std::move(st)), max_(max) {}

	Result<Mapping> map(DomainId granter, const GrantRefs &refs, bool writable) override
	{
		std::string what = "grant map of " + std::to_string(refs.size()) + " ref(s) from " +
				   dom(granter) + (writable ? " (rw)" : " (ro)");
		if (refs.empty())
			return err(what + ": no refs");
		if (refs.size() > max_)
			return err(what + ": over the mapper's limit of " + std::to_string(max_) + " pages");
		std::vector<uint32_t> raw;
		raw.reserve(refs.size());
		for (GrantRef r : refs.refs())
			raw.push_back(r.value);
		void *p = xengnttab_map_domain_grant_refs(st_->h, static_cast<uint32_t>(raw.size()),
							  granter, raw.data(),
							  PROT_READ | (writable ? PROT_WRITE : 0));
		if (!p)
			return Error::from_errno(what + ": xengnttab_map_domain_grant_refs", errno);
		auto st = st_;
		return Mapping(p, raw.size() * kPageSize, [st](void *a, size_t len) {
			xengnttab_unmap(st->h, a, static_cast<uint32_t>(len / kPageSize));
		});
	}

	size_t max_pages() const override { return max_; }

private:
	std::shared_ptr<MapperState> st_;
	size_t max_;
};

} // namespace

Result<std::unique_ptr<GrantSharer>> open_grant_sharer(size_t max_pages)
{
	auto st = std::make_shared<SharerState>();
	st->h = xengntshr_open(nullptr, 0);
	if (!st->h)
		return Error::from_errno("grant sharer: xengntshr_open (/dev/xen/gntalloc)", errno);
	return std::unique_ptr<GrantSharer>(new XenGrantSharer(std::move(st), max_pages));
}

Result<std::unique_ptr<GrantMapper>> open_grant_mapper(size_t max_pages)
{
	auto st = std::make_shared<MapperState>();
	st->h = xengnttab_open(nullptr, 0);
	if (!st->h)
		return Error::from_errno("grant mapper: xengnttab_open (/dev/xen/gntdev)", errno);
	return std::unique_ptr<GrantMapper>(new XenGrantMapper(std::move(st), max_pages));
}

} // namespace bulkhead::xen
