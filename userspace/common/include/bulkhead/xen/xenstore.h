// SPDX-License-Identifier: GPL-2.0-only
// XenStore, confined to one domain's subtree (/local/domain/<id>): paths
// given to a Store are relative to that base; absolute paths and ".."
// components are refused, so a caller holding a Store for domain N cannot
// stray outside /local/domain/N. Watches are RAII (unwatched when they die)
// and pollable.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bulkhead/borrowed_fd.h"
#include "bulkhead/result.h"
#include "bulkhead/xen/types.h"

namespace bulkhead::xen {

class StoreWatch {
public:
	virtual ~StoreWatch() = default;
	// Non-blocking: the relative path of the next fired event, if any. The
	// first event always fires right after the watch is set.
	virtual Result<std::optional<std::string>> next() = 0;
	// Blocks for the next event or timeout (nullopt). Negative: forever.
	virtual Result<std::optional<std::string>> wait(std::chrono::milliseconds timeout) = 0;
	// Readable when an event is pending, with the shared libxenstore (its
	// reader thread feeds it). Trap: libxenstore.a, the static library, is
	// built without that thread and the fd never turns readable by itself;
	// poll with a timeout and call next() anyway (wait() does).
	virtual borrowed_fd pollable() const = 0;
};

class Store {
public:
	virtual ~Store() = default;
	// The absolute base path, e.g. "/local/domain/3".
	virtual const std::string &base() const = 0;
	virtual Result<std::string> read(const std::string &path) = 0;
	virtual Result<void> write(const std::string &path, const std::string &value) = 0;
	virtual Result<void> remove(const std::string &path) = 0;
	virtual Result<std::vector<std::string>> list(const std::string &path) = 0;
	virtual Result<std::unique_ptr<StoreWatch>> watch(const std::string &path) = 0;
	// Largest value XenStore accepts in one node.
	static constexpr size_t kMaxValue = 2048;
};

// Checks a relative path: non-empty, no leading '/', no empty, "." or ".."
// component, only [A-Za-z0-9_.@-] and '/'. Shared with the fake.
Result<void> check_store_path(const std::string &path);

// The subtree of domain `domid` (dom0 reading a guest, say).
Result<std::unique_ptr<Store>> open_store(DomainId domid);
// The caller's own subtree (its domid read from XenStore "domid").
Result<std::unique_ptr<Store>> open_own_store();

// Fires when `domid` dies or is destroyed: a watch on @releaseDomain that
// checks the domain is still introduced. Used by dom0-side channels so that a
// destroyed guest ends their waits with an error instead of a hang.
class DomainDeathWatch {
public:
	virtual ~DomainDeathWatch() = default;
	virtual borrowed_fd pollable() const = 0;
	// Consumes pending events; true if the domain is gone.
	virtual Result<bool> check() = 0;
};
Result<std::unique_ptr<DomainDeathWatch>> watch_domain_death(DomainId domid);

} // namespace bulkhead::xen
