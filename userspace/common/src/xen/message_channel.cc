// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/xen/message_channel.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace bulkhead::xen {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Payloads up to this size are sent with their header in one write (one
// notification of the peer instead of two).
static constexpr size_t kCoalesce = 4096;

struct MessageChannel::State {
	std::unique_ptr<ByteTransport> t;
	ChannelLimits limits;
	FrameDecoder decoder;
	// Send queue: bytes [head, queue.size()) are still to be written. Holds
	// whole frames or the unwritten tail of one.
	std::vector<std::byte> queue;
	size_t head = 0;
	std::optional<Error> dead;
	std::array<std::byte, kFrameHeaderSize + kCoalesce> staging;

	State(std::unique_ptr<ByteTransport> tr, ChannelLimits l)
	    : t(std::move(tr)), limits(l), decoder(l.max_message)
	{
	}

	size_t pending() const { return queue.size() - head; }

	Error kill(const Error &e)
	{
		if (!dead)
			dead = e;
		return *dead;
	}

	// Writes as much of buf as the transport takes now.
	Result<size_t> write_now(std::span<const std::byte> buf)
	{
		size_t done = 0;
		while (done < buf.size()) {
			auto r = t->write_some(buf.subspan(done));
			if (!r)
				return kill(r.error().context("channel send"));
			if (*r == 0)
				break;
			done += *r;
		}
		return done;
	}

	void enqueue(std::span<const std::byte> buf)
	{
		if (head > 0 && head == queue.size()) {
			queue.clear();
			head = 0;
		} else if (head > queue.size() / 2) {
			queue.erase(queue.begin(), queue.begin() + static_cast<ptrdiff_t>(head));
			head = 0;
		}
		queue.insert(queue.end(), buf.begin(), buf.end());
	}
};

MessageChannel::MessageChannel(std::unique_ptr<ByteTransport> transport, ChannelLimits limits)
{
	if (limits.max_message > kMaxFramePayload)
		limits.max_message = kMaxFramePayload;
	size_t frame = kFrameHeaderSize + limits.max_message;
	if (limits.max_queued == 0)
		limits.max_queued = 2 * frame;
	limits.max_queued = std::max(limits.max_queued, frame);
	s_ = std::make_unique<State>(std::move(transport), limits);
}

MessageChannel::MessageChannel(MessageChannel &&) noexcept = default;
MessageChannel &MessageChannel::operator=(MessageChannel &&) noexcept = default;
MessageChannel::~MessageChannel() = default;

bool MessageChannel::dead() const { return s_->dead.has_value(); }
const ChannelLimits &MessageChannel::limits() const { return s_->limits; }
bool MessageChannel::has_pending() const { return s_->pending() != 0; }
size_t MessageChannel::pending_bytes() const { return s_->pending(); }
borrowed_fd MessageChannel::pollable() { return s_->t->pollable(); }

Result<void> MessageChannel::handle_events()
{
	if (s_->dead)
		return *s_->dead;
	auto r = s_->t->handle_events();
	if (!r)
		return s_->kill(r.error().context("channel events"));
	return ok();
}

Result<bool> MessageChannel::flush()
{
	State &s = *s_;
	if (s.dead)
		return *s.dead;
	if (s.pending() == 0)
		return true;
	TRY_ASSIGN(size_t n, s.write_now(std::span<const std::byte>(s.queue).subspan(s.head)));
	s.head += n;
	if (s.pending() == 0) {
		s.queue.clear();
		s.head = 0;
	}
	return s.pending() == 0;
}

Result<bool> MessageChannel::try_send(uint32_t type, std::span<const std::byte> payload)
{
	State &s = *s_;
	if (s.dead)
		return *s.dead;
	if (payload.size() > s.limits.max_message)
		return err("channel send: message of " + std::to_string(payload.size()) +
			   " bytes exceeds the channel maximum " +
			   std::to_string(s.limits.max_message));
	auto header = encode_frame_header(type, static_cast<uint32_t>(payload.size()));
	size_t frame = kFrameHeaderSize + payload.size();

	if (s.pending() != 0) {
		TRY_ASSIGN(bool empty, flush());
		if (!empty) {
			if (s.pending() + frame > s.limits.max_queued)
				return false;
			s.enqueue(header);
			s.enqueue(payload);
			return true;
		}
	}
	// Queue empty: write straight from the caller's buffer, queue the rest.
	if (payload.size() <= kCoalesce) {
		std::memcpy(s.staging.data(), header.data(), header.size());
		if (!payload.empty())
			std::memcpy(s.staging.data() + header.size(), payload.data(), payload.size());
		std::span<const std::byte> all(s.staging.data(), frame);
		TRY_ASSIGN(size_t n, s.write_now(all));
		if (n < frame)
			s.enqueue(all.subspan(n));
		return true;
	}
	TRY_ASSIGN(size_t hn, s.write_now(header));
	if (hn < header.size()) {
		s.enqueue(std::span<const std::byte>(header).subspan(hn));
		s.enqueue(payload);
		return true;
	}
	TRY_ASSIGN(size_t pn, s.write_now(payload));
	if (pn < payload.size())
		s.enqueue(payload.subspan(pn));
	return true;
}

Result<std::optional<Message>> MessageChannel::receive()
{
	State &s = *s_;
	if (s.dead)
		return *s.dead;
	for (;;) {
		std::span<std::byte> buf = s.decoder.next_buffer();
		auto r = s.t->read_some(buf);
		if (!r) {
			auto fin = s.decoder.finish();
			if (!fin)
				return s.kill(fin.error().context(r.error().message));
			return s.kill(r.error().context("channel receive"));
		}
		if (*r == 0)
			return std::optional<Message>();
		auto m = s.decoder.advance(*r);
		if (!m)
			return s.kill(m.error().context("channel receive"));
		if (*m)
			return m;
	}
}

static Clock::time_point deadline_of(milliseconds timeout)
{
	// No clock read for "forever": the blocking helpers sit on hot paths.
	return timeout.count() < 0 ? Clock::time_point::max() : Clock::now() + timeout;
}

static milliseconds remaining(Clock::time_point deadline, milliseconds timeout)
{
	if (timeout.count() < 0)
		return milliseconds(-1);
	auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
	return std::max(left, milliseconds(0));
}

Result<bool> MessageChannel::wait(milliseconds timeout)
{
	if (s_->dead)
		return *s_->dead;
	auto r = s_->t->wait(timeout);
	if (!r)
		return s_->kill(r.error().context("channel wait"));
	return r;
}

Result<void> MessageChannel::send(uint32_t type, std::span<const std::byte> payload,
				  milliseconds timeout)
{
	auto deadline = deadline_of(timeout);
	for (;;) {
		TRY_ASSIGN(bool queued, try_send(type, payload));
		if (queued)
			return ok();
		TRY_ASSIGN(bool woke, wait(remaining(deadline, timeout)));
		if (!woke)
			return err("channel send: timed out after " + std::to_string(timeout.count()) +
				   " ms with " + std::to_string(pending_bytes()) + " bytes queued");
	}
}

Result<void> MessageChannel::drain(milliseconds timeout)
{
	auto deadline = deadline_of(timeout);
	for (;;) {
		TRY_ASSIGN(bool empty, flush());
		if (empty)
			return ok();
		TRY_ASSIGN(bool woke, wait(remaining(deadline, timeout)));
		if (!woke)
			return err("channel drain: timed out after " + std::to_string(timeout.count()) +
				   " ms with " + std::to_string(pending_bytes()) + " bytes queued");
	}
}

Result<Message> MessageChannel::receive_wait(milliseconds timeout)
{
	auto deadline = deadline_of(timeout);
	for (;;) {
		TRY(flush());
		TRY_ASSIGN(auto m, receive());
		if (m)
			return std::move(*m);
		TRY_ASSIGN(bool woke, wait(remaining(deadline, timeout)));
		if (!woke)
			return err("channel receive: timed out after " +
				   std::to_string(timeout.count()) + " ms");
	}
}

} // namespace bulkhead::xen
