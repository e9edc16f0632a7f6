// SPDX-License-Identifier: GPL-2.0-only
// MessageChannel: framed messages (frame.h) over a non-blocking byte stream.
//
// The peer is hostile: every received header is checked against this
// channel's max payload before a byte of payload is read; a bad length, a
// stream ending inside a frame, or a transport error kills the channel, and
// every later call returns the same error. Reads never go past the current
// frame. Short reads and writes are normal: what the transport does not take
// is queued (bounded) and pushed by flush(); try_send() says "not now"
// rather than queueing without bound.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "bulkhead/borrowed_fd.h"
#include "bulkhead/result.h"
#include "bulkhead/xen/frame.h"

namespace bulkhead::xen {

// A non-blocking, reliable, ordered byte stream between two domains.
class ByteTransport {
public:
	virtual ~ByteTransport() = default;
	// Bytes read, 0 if nothing is available now. Error: the peer closed
	// (a clean close is reported as an error too: the stream is over) or the
	// transport failed.
	virtual Result<size_t> read_some(std::span<std::byte> buf) = 0;
	// Bytes written, 0 if there is no room now.
	virtual Result<size_t> write_some(std::span<const std::byte> buf) = 0;
	// True once the peer closed or died; reads may still drain buffered data.
	virtual bool peer_closed() const = 0;
	// Blocks until something may have changed (data, room, peer closed or
	// dead) or the timeout passed (false). Negative timeout: forever.
	virtual Result<bool> wait(std::chrono::milliseconds timeout) = 0;
	// Readable when wait() would return at once; call handle_events() then.
	// Callers with their own poll loop must also call handle_events() at
	// least every 250 ms (a poll timeout): peer-death checks ride on it.
	virtual borrowed_fd pollable() = 0;
	// Non-blocking: consumes pending notifications.
	virtual Result<void> handle_events() = 0;
};

struct ChannelLimits {
	// Largest payload accepted or sent; both ends must agree.
	uint32_t max_message = 64 * 1024;
	// Bytes the send queue may hold (whole frames); 0: two max frames.
	size_t max_queued = 0;
};

class MessageChannel {
public:
	MessageChannel(std::unique_ptr<ByteTransport> transport, ChannelLimits limits);
	MessageChannel(MessageChannel &&) noexcept;
	MessageChannel &operator=(MessageChannel &&) noexcept;
	~MessageChannel();

	// Queues one message and pushes what the transport takes now. Returns
	// false (nothing queued) if the queue is too full; flush() and retry.
	// A payload larger than max_message is a programming error on our side
	// and is refused with an error, the channel staying usable.
	Result<bool> try_send(uint32_t type, std::span<const std::byte> payload);
	// Pushes queued bytes; true when the queue is empty.
	Result<bool> flush();
	bool has_pending() const;
	size_t pending_bytes() const;
	// Non-blocking: the next complete message, or nullopt.
	Result<std::optional<Message>> receive();

	// Blocking helpers (negative timeout: forever). Errors name what timed
	// out.
	Result<void> send(uint32_t type, std::span<const std::byte> payload,
			  std::chrono::milliseconds timeout);
	Result<void> drain(std::chrono::milliseconds timeout);
	Result<Message> receive_wait(std::chrono::milliseconds timeout);
	// Waits for transport activity (see ByteTransport::wait).
	Result<bool> wait(std::chrono::milliseconds timeout);

	borrowed_fd pollable();
	Result<void> handle_events();
	// Set after the first fatal error; that error is returned from then on.
	bool dead() const;
	const ChannelLimits &limits() const;

private:
	struct State;
	std::unique_ptr<State> s_;
};

} // namespace bulkhead::xen
