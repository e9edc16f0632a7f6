// SPDX-License-Identifier: GPL-2.0-only
// An AppVM's input ring as bulkhead-guid sees it (Documentation/input.rst):
// the page the AppVM's gntinput Xorg driver granted to dom0, mapped, with a
// Producer on it, and the event channel bound to the driver's port.
//
// An InputConnector finds the ring: the AppVM advertises it in its own
// XenStore directory (uapi/gntinput.h, GNTINPUT_XS_*) whenever its X server
// enables the device, and withdraws it when the device goes away. Guid polls
// the connector's fd and calls update() when it fires; update() returns a
// new link when the AppVM advertised a new ring, and says when the old one
// is gone.
//
// DOC: Security
// The XenStore values come from the AppVM: the ref and port are parsed
// strictly (decimal, in range) and only ever used with the AppVM's own
// domain id, so a forged value can name nothing but the AppVM's own grants
// and ports. The page's content is the Producer's concern.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "bulkhead/result.h"
#include "producer.h"

namespace bulkhead::gui {

class InputLink {
public:
	virtual ~InputLink() = default;
	virtual input::Producer &producer() = 0;
	// Tells the AppVM that events were published.
	virtual Result<void> notify() = 0;
	// Readable when the AppVM notified (it made room); -1 if never.
	virtual int poll_fd() const = 0;
	// Consumes the AppVM's notification.
	virtual Result<void> consume() = 0;
};

class InputConnector {
public:
	virtual ~InputConnector() = default;
	// Readable when the advertisement may have changed; -1 if it never does.
	virtual int poll_fd() const = 0;
	struct Update {
		bool changed = false;		   // the current link is no longer valid
		std::unique_ptr<InputLink> link;   // the new one, if there is one
	};
	// Non-blocking. Looks at the advertisement and, if it differs from the
	// one of the current link, maps the new ring.
	virtual Result<Update> update() = 0;
};

// The real one, through XenStore, the grant mapper and event channels.
Result<std::unique_ptr<InputConnector>> xen_input_connector(uint16_t domid);

// For host tests: a ring in a page of this process, which the test reads
// with the consumer. notify() counts; the link is handed out once.
struct MemoryInputRing {
	alignas(4096) unsigned char page[4096];
	uint64_t notifies = 0;
};
std::unique_ptr<InputConnector> memory_input_connector(MemoryInputRing *ring);

} // namespace bulkhead::gui
