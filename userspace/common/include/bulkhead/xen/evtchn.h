// SPDX-License-Identifier: GPL-2.0-only
// Event channels: one bound port per object, unbound when it dies.
// The pollable fd turns readable when an event is pending; consume() then
// takes it (and unmasks the port) without blocking.
#pragma once

#include <chrono>
#include <memory>

#include "bulkhead/borrowed_fd.h"
#include "bulkhead/result.h"
#include "bulkhead/xen/types.h"

namespace bulkhead::xen {

class EventChannel {
public:
	virtual ~EventChannel() = default;
	virtual EvtchnPort local_port() const = 0;
	virtual DomainId remote_domain() const = 0;
	virtual Result<void> notify() = 0;
	// Non-blocking: true if an event was pending (it is consumed).
	virtual Result<bool> consume() = 0;
	// Blocks until an event arrives (consumed) or timeout; false on timeout.
	// A negative timeout waits forever.
	virtual Result<bool> wait(std::chrono::milliseconds timeout) = 0;
	virtual borrowed_fd pollable() const = 0;
};

// Allocates a port that `remote` may bind to (the side that publishes it).
Result<std::unique_ptr<EventChannel>> open_unbound_event_channel(DomainId remote);
// Binds to `remote`'s port published for us.
Result<std::unique_ptr<EventChannel>> open_interdomain_event_channel(DomainId remote,
								      EvtchnPort remote_port);

} // namespace bulkhead::xen
