// SPDX-License-Identifier: GPL-2.0-only
// Fakes of GrantSharer/GrantMapper, EventChannel and Store for unit tests.
// Grants are memfd pages: the "mapper" maps the very pages the "sharer"
// wrote, so sharing is real shared memory, with Xen's checks modelled (the
// grantee domid, read-only grants, revoked refs).
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <mutex>

#include "bulkhead/unique_fd.h"
#include "bulkhead/xen/fakes.h"

namespace bulkhead::xen::fake {

// ------------------------------------------------------------------ grants

struct FakeGrantTable::Entry {
	DomainId granter, grantee;
	bool writable;
	std::shared_ptr<unique_fd> memfd;
	off_t offset;
};

struct FakeGrantTable::Impl {
	std::mutex lock; // protects everything below
	std::map<uint32_t, Entry> entries;
	uint32_t next_ref = 8; // Xen reserves the first refs
	size_t maps = 0;
	std::map<DomainId, size_t> shared_by;
};

std::shared_ptr<FakeGrantTable> FakeGrantTable::create()
{
	auto t = std::make_shared<FakeGrantTable>();
	t->impl_ = std::make_shared<Impl>();
	return t;
}

size_t FakeGrantTable::live_grants() const
{
	std::lock_guard g(impl_->lock);
	return impl_->entries.size();
}

size_t FakeGrantTable::live_maps() const
{
	std::lock_guard g(impl_->lock);
	return impl_->maps;
}

namespace {

class FakeSharer final : public GrantSharer {
public:
	FakeSharer(std::shared_ptr<FakeGrantTable::Impl> t, DomainId self, size_t max)
	    : t_(std::move(t)), self_(self), max_(max)
	{
	}

	Result<SharedPages> share(DomainId peer, size_t pages, bool peer_writable) override
	{
		std::string what = "grant share of " + std::to_string(pages) + " page(s) with dom" +
				   std::to_string(peer);
		if (pages == 0)
			return err(what + ": zero pages");
		{
			std::lock_guard g(t_->lock);
			if (max_ && t_->shared_by[self_] + pages > max_)
				return err(what + ": over this sharer's limit of " + std::to_string(max_) +
					   " pages (" + std::to_string(t_->shared_by[self_]) +
					   " already shared)");
		}
		auto fd = std::make_shared<unique_fd>(::memfd_create("fake-grant", MFD_CLOEXEC));
		if (!fd->is_valid())
			return Error::from_errno(what + ": memfd_create", errno);
		if (::ftruncate(fd->get(), static_cast<off_t>(pages * kPageSize)) < 0)
			return Error::from_errno(what + ": ftruncate", errno);
		TRY_ASSIGN(Mapping m, Mapping::map_fd(*fd, pages * kPageSize, PROT_READ | PROT_WRITE,
						      MAP_SHARED));
		std::vector<GrantRef> refs;
		std::lock_guard g(t_->lock);
		for (size_t i = 0; i < pages; i++) {
			uint32_t r = t_->next_ref++;
			t_->entries[r] = FakeGrantTable::Entry{self_, peer, peer_writable, fd,
							       static_cast<off_t>(i * kPageSize)};
			refs.push_back(GrantRef{r});
		}
		t_->shared_by[self_] += pages;
		// Re-wrap so that destruction also revokes the refs.
		void *addr = m.data();
		size_t len = m.size();
		auto t = t_;
		DomainId self = self_;
		std::vector<GrantRef> owned = refs;
		auto holder = std::make_shared<Mapping>(std::move(m));
		Mapping wrapped(addr, len, [t, self, owned, holder](void *, size_t l) {
			std::lock_guard g2(t->lock);
			for (GrantRef r : owned)
				t->entries.erase(r.value);
			t->shared_by[self] -= l / kPageSize;
			holder->reset();
		});
		return SharedPages(std::move(wrapped), GrantRefs(std::move(refs)), peer, peer_writable);
	}

	size_t max_pages() const override { return max_; }
	size_t shared_pages() const override
	{
		std::lock_guard g(t_->lock);
		return t_->shared_by[self_];
	}

private:
	std::shared_ptr<FakeGrantTable::Impl> t_;
	DomainId self_;
	size_t max_;
};

class FakeMapper final : public GrantMapper {
public:
	FakeMapper(std::shared_ptr<FakeGrantTable::Impl> t, DomainId self, size_t max)
	    : t_(std::move(t)), self_(self), max_(max)
	{
	}

	Result<Mapping> map(DomainId granter, const GrantRefs &refs, bool writable) override
	{
		std::string what = "grant map of " + std::to_string(refs.size()) + " ref(s) from dom" +
				   std::to_string(granter);
		if (refs.empty())
			return err(what + ": no refs");
		if (refs.size() > max_)
			return err(what + ": over the mapper's limit of " + std::to_string(max_) + " pages");
		size_t len = refs.size() * kPageSize;
		void *base = ::mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			return Error::from_errno(what + ": reserve", errno);
		Mapping m(base, len, [t = t_](void *a, size_t l) {
			::munmap(a, l);
			std::lock_guard g(t->lock);
			t->maps--;
		});
		std::lock_guard g(t_->lock);
		t_->maps++;
		for (size_t i = 0; i < refs.size(); i++) {
			auto it = t_->entries.find(refs[i].value);
			// Xen answers GNTST_bad_gntref / GNTST_permission_denied.
			if (it == t_->entries.end() || it->second.granter != granter)
				return err(what + ": ref " + std::to_string(refs[i].value) +
					   " is not a grant of dom" + std::to_string(granter));
			if (it->second.grantee != self_)
				return err(what + ": ref " + std::to_string(refs[i].value) +
					   " is not granted to dom" + std::to_string(self_));
			if (writable && !it->second.writable)
				return err(what + ": ref " + std::to_string(refs[i].value) + " is read-only");
			void *p = ::mmap(static_cast<char *>(base) + i * kPageSize, kPageSize,
					 PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED | MAP_FIXED,
					 it->second.memfd->get(), it->second.offset);
			if (p == MAP_FAILED)
				return Error::from_errno(what + ": mmap", errno);
		}
		return m;
	}

	size_t max_pages() const override { return max_; }

private:
	std::shared_ptr<FakeGrantTable::Impl> t_;
	DomainId self_;
	size_t max_;
};

} // namespace

std::unique_ptr<GrantSharer> FakeGrantTable::sharer(DomainId self, size_t max_pages)
{
	return std::make_unique<FakeSharer>(impl_, self, max_pages);
}

std::unique_ptr<GrantMapper> FakeGrantTable::mapper(DomainId self, size_t max_pages)
{
	return std::make_unique<FakeMapper>(impl_, self, max_pages);
}

// ------------------------------------------------------------- event channels

namespace {

struct EvtPairShared {
	unique_fd fd[2];
};

class FakeEventChannel final : public EventChannel {
public:
	FakeEventChannel(std::shared_ptr<EvtPairShared> s, int side, DomainId remote)
	    : s_(std::move(s)), side_(side), remote_(remote)
	{
	}
	EvtchnPort local_port() const override { return EvtchnPort{static_cast<uint32_t>(10 + side_)}; }
	DomainId remote_domain() const override { return remote_; }
	Result<void> notify() override
	{
		uint64_t one = 1;
		if (::write(s_->fd[1 - side_].get(), &one, sizeof one) < 0)
			return Error::from_errno("fake event channel notify", errno);
		return ok();
	}
	Result<bool> consume() override { return wait(std::chrono::milliseconds(0)); }
	Result<bool> wait(std::chrono::milliseconds timeout) override
	{
		struct pollfd p = {s_->fd[side_].get(), POLLIN, 0};
		int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
		if (r < 0)
			return Error::from_errno("fake event channel poll", errno);
		if (r == 0)
			return false;
		uint64_t v;
		(void)!::read(s_->fd[side_].get(), &v, sizeof v);
		return true;
	}
	borrowed_fd pollable() const override { return borrowed_fd(s_->fd[side_].get()); }

private:
	std::shared_ptr<EvtPairShared> s_;
	int side_;
	DomainId remote_;
};

} // namespace

std::pair<std::unique_ptr<EventChannel>, std::unique_ptr<EventChannel>>
make_event_channel_pair(DomainId a, DomainId b)
{
	auto s = std::make_shared<EvtPairShared>();
	for (auto &f : s->fd)
		f = unique_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	return {std::make_unique<FakeEventChannel>(s, 0, b), std::make_unique<FakeEventChannel>(s, 1, a)};
}

// ---------------------------------------------------------------- XenStore

struct FakeXenStore::Impl {
	struct WatchRec {
		std::string path;
		std::deque<std::string> events;
		unique_fd fd;
	};
	std::mutex lock; // protects nodes and watches
	std::map<std::string, std::string> nodes;
	std::map<int, std::shared_ptr<WatchRec>> watches;
	int next_watch = 0;

	void fire(const std::string &path)
	{
		for (auto &[id, w] : watches) {
			if (path == w->path || path.rfind(w->path + "/", 0) == 0) {
				w->events.push_back(path);
				uint64_t one = 1;
				(void)!::write(w->fd.get(), &one, sizeof one);
			}
		}
	}
};

std::shared_ptr<FakeXenStore> FakeXenStore::create()
{
	auto s = std::make_shared<FakeXenStore>();
	s->impl_ = std::make_shared<Impl>();
	return s;
}

namespace {

class FakeWatch final : public StoreWatch {
public:
	FakeWatch(std::shared_ptr<FakeXenStore::Impl> s, int id, std::string base)
	    : s_(std::move(s)), id_(id), base_(std::move(base))
	{
	}
	~FakeWatch() override
	{
		std::lock_guard g(s_->lock);
		s_->watches.erase(id_);
	}
	Result<std::optional<std::string>> next() override
	{
		std::lock_guard g(s_->lock);
		auto &w = s_->watches.at(id_);
		uint64_t v;
		(void)!::read(w->fd.get(), &v, sizeof v);
		if (w->events.empty())
			return std::optional<std::string>();
		std::string p = w->events.front();
		w->events.pop_front();
		if (!w->events.empty()) {
			uint64_t one = 1;
			(void)!::write(w->fd.get(), &one, sizeof one);
		}
		if (p.rfind(base_ + "/", 0) == 0)
			p = p.substr(base_.size() + 1);
		return std::optional<std::string>(p);
	}
	Result<std::optional<std::string>> wait(std::chrono::milliseconds timeout) override
	{
		struct pollfd p = {pollable().get(), POLLIN, 0};
		if (::poll(&p, 1, static_cast<int>(timeout.count())) < 0)
			return Error::from_errno("fake xenstore poll", errno);
		return next();
	}
	borrowed_fd pollable() const override
	{
		std::lock_guard g(s_->lock);
		return borrowed_fd(s_->watches.at(id_)->fd.get());
	}

private:
	std::shared_ptr<FakeXenStore::Impl> s_;
	int id_;
	std::string base_;
};

class FakeStore final : public Store {
public:
	FakeStore(std::shared_ptr<FakeXenStore::Impl> s, DomainId domid, DomainId as)
	    : s_(std::move(s)), base_("/local/domain/" + std::to_string(domid)), domid_(domid), as_(as)
	{
	}
	const std::string &base() const override { return base_; }

	Result<std::string> read(const std::string &path) override
	{
		TRY(check(path, "read"));
		std::lock_guard g(s_->lock);
		auto it = s_->nodes.find(base_ + "/" + path);
		if (it == s_->nodes.end())
			return err("xenstore: read " + base_ + "/" + path + ": No such file or directory");
		return it->second;
	}
	Result<void> write(const std::string &path, const std::string &value) override
	{
		TRY(check(path, "write"));
		if (value.size() > kMaxValue)
			return err("xenstore: write " + base_ + "/" + path + ": value too long");
		std::lock_guard g(s_->lock);
		s_->nodes[base_ + "/" + path] = value;
		s_->fire(base_ + "/" + path);
		return ok();
	}
	Result<void> remove(const std::string &path) override
	{
		TRY(check(path, "rm"));
		std::lock_guard g(s_->lock);
		std::string full = base_ + "/" + path;
		for (auto it = s_->nodes.begin(); it != s_->nodes.end();) {
			if (it->first == full || it->first.rfind(full + "/", 0) == 0)
				it = s_->nodes.erase(it);
			else
				++it;
		}
		s_->fire(full);
		return ok();
	}
	Result<std::vector<std::string>> list(const std::string &path) override
	{
		TRY(check(path, "ls"));
		std::lock_guard g(s_->lock);
		std::string prefix = base_ + "/" + path + "/";
		std::vector<std::string> out;
		for (auto &[k, v] : s_->nodes) {
			if (k.rfind(prefix, 0) != 0)
				continue;
			std::string child = k.substr(prefix.size());
			child = child.substr(0, child.find('/'));
			if (out.empty() || out.back() != child)
				out.push_back(child);
		}
		return out;
	}
	Result<std::unique_ptr<StoreWatch>> watch(const std::string &path) override
	{
		TRY(check(path, "watch"));
		std::lock_guard g(s_->lock);
		auto w = std::make_shared<FakeXenStore::Impl::WatchRec>();
		w->path = base_ + "/" + path;
		w->fd = unique_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
		w->events.push_back(w->path); // XenStore fires every new watch once
		uint64_t one = 1;
		(void)!::write(w->fd.get(), &one, sizeof one);
		int id = s_->next_watch++;
		s_->watches[id] = w;
		return std::unique_ptr<StoreWatch>(new FakeWatch(s_, id, base_));
	}

private:
	Result<void> check(const std::string &path, const char *op)
	{
		TRY(check_store_path(path));
		if (as_ != 0 && as_ != domid_)
			return err(std::string("xenstore: ") + op + " " + base_ + "/" + path +
				   ": Permission denied");
		return ok();
	}

	std::shared_ptr<FakeXenStore::Impl> s_;
	std::string base_;
	DomainId domid_, as_;
};

} // namespace

std::unique_ptr<Store> FakeXenStore::open(DomainId domid, DomainId as_domid)
{
	return std::make_unique<FakeStore>(impl_, domid, as_domid);
}

} // namespace bulkhead::xen::fake
