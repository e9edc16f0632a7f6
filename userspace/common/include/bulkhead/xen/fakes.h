// SPDX-License-Identifier: GPL-2.0-only
// Fakes of the inter-domain seams, for unit tests only (library
// bulkhead_xen_fakes). They model what a hostile or slow peer can do: short
// reads and writes, small rings, abrupt close, injected garbage, grants
// offered to another domain or read-only.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <utility>

#include "bulkhead/xen/evtchn.h"
#include "bulkhead/xen/grant.h"
#include "bulkhead/xen/message_channel.h"
#include "bulkhead/xen/xenstore.h"

namespace bulkhead::xen::fake {

// ---- byte transport
struct PipeOptions {
	size_t capacity = 64 * 1024; // bytes in flight per direction (the ring)
	size_t max_read_chunk = 0;   // >0: each read returns at most this
	size_t max_write_chunk = 0;  // >0: each write takes at most this
};

class FakeTransport;
// Two connected ends.
std::pair<std::unique_ptr<FakeTransport>, std::unique_ptr<FakeTransport>>
make_transport_pair(PipeOptions options = {});

class FakeTransport : public ByteTransport {
public:
	~FakeTransport() override;
	Result<size_t> read_some(std::span<std::byte> buf) override;
	Result<size_t> write_some(std::span<const std::byte> buf) override;
	bool peer_closed() const override;
	Result<bool> wait(std::chrono::milliseconds timeout) override;
	borrowed_fd pollable() override;
	Result<void> handle_events() override;

	// Test controls: write raw bytes to the peer ignoring capacity (garbage,
	// forged headers), close our end, change chunking.
	void inject(std::span<const std::byte> bytes);
	void close();
	void set_read_chunk(size_t n);
	void set_write_chunk(size_t n);
	size_t buffered_for_peer() const;

	struct Shared;
	FakeTransport(std::shared_ptr<Shared> shared, int side);

private:
	std::shared_ptr<Shared> shared_;
	int side_;
};

// ---- grants: one table shared by every fake domain of a test
class FakeGrantTable : public std::enable_shared_from_this<FakeGrantTable> {
public:
	static std::shared_ptr<FakeGrantTable> create();
	// A sharer acting as domain `self`, capped at max_pages.
	std::unique_ptr<GrantSharer> sharer(DomainId self, size_t max_pages);
	std::unique_ptr<GrantMapper> mapper(DomainId self, size_t max_pages = 65536);
	size_t live_grants() const;
	size_t live_maps() const;

	struct Entry;
	struct Impl;
	std::shared_ptr<Impl> impl_;
};

// ---- event channels
std::pair<std::unique_ptr<EventChannel>, std::unique_ptr<EventChannel>>
make_event_channel_pair(DomainId a, DomainId b);

// ---- XenStore: one tree shared by every Store of a test
class FakeXenStore {
public:
	static std::shared_ptr<FakeXenStore> create();
	// A Store on /local/domain/<domid>. `as_domid` is who asks: a non-zero
	// caller may only read/write under its own /local/domain/<as_domid>.
	std::unique_ptr<Store> open(DomainId domid, DomainId as_domid);
	struct Impl;
	std::shared_ptr<Impl> impl_;
};

} // namespace bulkhead::xen::fake
