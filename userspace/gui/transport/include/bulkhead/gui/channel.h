// SPDX-License-Identifier: GPL-2.0-only
// Channel: the message transport between bulkhead-agent and bulkhead-guid.
// Message-oriented (one GUI message per send/receive, never a partial one),
// non-blocking, bounded. Real: the vchan message channel of
// userspace/common. Host tests and development: a SOCK_SEQPACKET Unix socket.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bulkhead/result.h"
#include "bulkhead/unique_fd.h"

namespace bulkhead::gui {

class Channel {
public:
	virtual ~Channel() = default;
	// Queues one whole message; refuses (error) if more than the queue
	// limit would be pending: a peer that does not read is dropped.
	virtual Result<void> send(std::span<const uint8_t> message) = 0;
	// Pushes queued bytes. True when nothing is left queued.
	virtual Result<bool> flush() = 0;
	// The next whole message, nullopt if none now. Error: peer closed, or
	// it sent something over max_message (the channel is dead then).
	virtual Result<std::optional<std::vector<uint8_t>>> receive() = 0;
	// poll() for POLLIN; call receive() until nullopt after it fires.
	virtual int poll_fd() const = 0;
	virtual bool wants_write() const = 0;
	// How long a poll() on poll_fd() may wait before receive() must run
	// anyway, message or not; -1: no limit. dom0's vchan to an AppVM: its
	// check that the AppVM still exists (a destroyed domain sends no last
	// event, and the XenStore watch fd alone does not wake the poll).
	virtual int max_wait_ms() const { return -1; }
	// Bytes the transport adds to each message on the wire (byte counters).
	virtual size_t framing_bytes() const { return 0; }
};

// A connected SOCK_SEQPACKET socket (made non-blocking here).
Result<std::unique_ptr<Channel>> socket_channel(unique_fd fd, size_t max_message,
						size_t max_queued = 4u << 20);
// socketpair(AF_UNIX, SOCK_SEQPACKET)
Result<std::pair<unique_fd, unique_fd>> seqpacket_pair();
// Listen on / connect to a Unix socket path (SOCK_SEQPACKET).
Result<unique_fd> seqpacket_listen(const std::string &path);
Result<unique_fd> seqpacket_accept(const unique_fd &listener);
Result<unique_fd> seqpacket_connect(const std::string &path);

} // namespace bulkhead::gui
