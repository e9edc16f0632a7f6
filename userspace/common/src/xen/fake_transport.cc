// SPDX-License-Identifier: GPL-2.0-only
// In-memory ByteTransport pair for unit tests. Thread-safe, so a test may run
// both ends on two threads. Each end has an eventfd that is signalled on
// anything the end may care about (data, room, close).
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <mutex>

#include "bulkhead/unique_fd.h"
#include "bulkhead/xen/fakes.h"

namespace bulkhead::xen::fake {

struct FakeTransport::Shared {
	std::mutex lock; // protects everything below
	PipeOptions opt[2];
	std::deque<std::byte> inbound[2]; // inbound[s]: bytes for side s
	bool closed[2] = {false, false};
	unique_fd event[2];

	void signal(int side)
	{
		uint64_t one = 1;
		(void)!::write(event[side].get(), &one, sizeof one);
	}
};

std::pair<std::unique_ptr<FakeTransport>, std::unique_ptr<FakeTransport>>
make_transport_pair(PipeOptions options)
{
	auto sh = std::make_shared<FakeTransport::Shared>();
	for (int i = 0; i < 2; i++) {
		sh->opt[i] = options;
		sh->event[i] = unique_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	}
	return {std::make_unique<FakeTransport>(sh, 0), std::make_unique<FakeTransport>(sh, 1)};
}

FakeTransport::FakeTransport(std::shared_ptr<Shared> shared, int side)
    : shared_(std::move(shared)), side_(side)
{
}

FakeTransport::~FakeTransport() { close(); }

void FakeTransport::close()
{
	std::lock_guard g(shared_->lock);
	if (!shared_->closed[side_]) {
		shared_->closed[side_] = true;
		shared_->signal(1 - side_);
	}
}

Result<size_t> FakeTransport::read_some(std::span<std::byte> buf)
{
	std::lock_guard g(shared_->lock);
	auto &in = shared_->inbound[side_];
	if (shared_->closed[side_])
		return err("fake transport: read on a closed end");
	if (in.empty()) {
		if (shared_->closed[1 - side_])
			return err("fake transport: peer closed");
		return size_t(0);
	}
	size_t n = std::min(buf.size(), in.size());
	if (shared_->opt[side_].max_read_chunk)
		n = std::min(n, shared_->opt[side_].max_read_chunk);
	std::copy_n(in.begin(), n, buf.begin());
	in.erase(in.begin(), in.begin() + static_cast<ptrdiff_t>(n));
	if (n)
		shared_->signal(1 - side_);
	return n;
}

Result<size_t> FakeTransport::write_some(std::span<const std::byte> buf)
{
	std::lock_guard g(shared_->lock);
	if (shared_->closed[side_])
		return err("fake transport: write on a closed end");
	if (shared_->closed[1 - side_])
		return err("fake transport: peer closed");
	auto &out = shared_->inbound[1 - side_];
	size_t cap = shared_->opt[side_].capacity;
	size_t room = out.size() >= cap ? 0 : cap - out.size();
	size_t n = std::min(buf.size(), room);
	if (shared_->opt[side_].max_write_chunk)
		n = std::min(n, shared_->opt[side_].max_write_chunk);
	out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(n));
	if (n)
		shared_->signal(1 - side_);
	return n;
}

bool FakeTransport::peer_closed() const
{
	std::lock_guard g(shared_->lock);
	return shared_->closed[1 - side_];
}

Result<bool> FakeTransport::wait(std::chrono::milliseconds timeout)
{
	struct pollfd p = {shared_->event[side_].get(), POLLIN, 0};
	int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
	if (r < 0)
		return Error::from_errno("fake transport: poll", errno);
	if (r == 0)
		return false;
	TRY(handle_events());
	return true;
}

borrowed_fd FakeTransport::pollable() { return borrowed_fd(shared_->event[side_].get()); }

Result<void> FakeTransport::handle_events()
{
	uint64_t v;
	(void)!::read(shared_->event[side_].get(), &v, sizeof v);
	return ok();
}

void FakeTransport::inject(std::span<const std::byte> bytes)
{
	std::lock_guard g(shared_->lock);
	auto &out = shared_->inbound[1 - side_];
	out.insert(out.end(), bytes.begin(), bytes.end());
	shared_->signal(1 - side_);
}

void FakeTransport::set_read_chunk(size_t n)
{
	std::lock_guard g(shared_->lock);
	shared_->opt[side_].max_read_chunk = n;
}

void FakeTransport::set_write_chunk(size_t n)
{
	std::lock_guard g(shared_->lock);
	shared_->opt[side_].max_write_chunk = n;
}

size_t FakeTransport::buffered_for_peer() const
{
	std::lock_guard g(shared_->lock);
	return shared_->inbound[1 - side_].size();
}

} // namespace bulkhead::xen::fake
