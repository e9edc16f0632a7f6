// SPDX-License-Identifier: GPL-2.0-only
// ByteTransport over libxenvchan, non-blocking, plus an optional XenStore
// death watch of the peer: a destroyed guest never clears its "live" flag
// nor sends a last event, so without the watch a dom0 reader would wait
// forever on a zombie's ring.
#include <cerrno>
#include <poll.h>
#include <sys/epoll.h>
#include <algorithm>
#include <thread>

extern "C" {
#include <libxenvchan.h>
}

#include "bulkhead/unique_fd.h"
#include "bulkhead/xen/vchan.h"
#include "bulkhead/xen/xenstore.h"

namespace bulkhead::xen {

namespace {

constexpr std::chrono::milliseconds kDeathPoll{250};

class VchanTransport final : public ByteTransport {
public:
	VchanTransport(libxenvchan *c, DomainId peer, std::string path,
		       std::unique_ptr<DomainDeathWatch> death)
	    : c_(c), peer_(peer), path_(std::move(path)), death_(std::move(death))
	{
		c_->blocking = 0;
	}
	~VchanTransport() override { libxenvchan_close(c_); }

	Result<size_t> read_some(std::span<std::byte> buf) override
	{
		if (buf.empty())
			return size_t(0);
		int n = libxenvchan_read(c_, buf.data(), buf.size());
		if (n < 0)
			return err(what() + ": peer closed the channel");
		if (n == 0 && peer_dead_)
			return err(what() + ": peer domain died");
		return static_cast<size_t>(n);
	}

	Result<size_t> write_some(std::span<const std::byte> buf) override
	{
		if (peer_dead_)
			return err(what() + ": peer domain died");
		int n = libxenvchan_write(c_, buf.data(), buf.size());
		if (n < 0)
			return err(what() + ": peer closed the channel");
		return static_cast<size_t>(n);
	}

	bool peer_closed() const override { return peer_dead_ || !libxenvchan_is_open(c_); }

	Result<bool> wait(std::chrono::milliseconds timeout) override
	{
		using namespace std::chrono;
		// Plain blocking wait: no poll(), exactly what libxenvchan's own
		// blocking mode does (one syscall less per wakeup).
		if (!death_ && timeout.count() < 0) {
			if (libxenvchan_wait(c_) < 0)
				return Error::from_errno(what() + ": event channel", errno);
			return true;
		}
		struct pollfd p[2] = {{libxenvchan_fd_for_select(c_), POLLIN, 0}, {-1, POLLIN, 0}};
		nfds_t n = 1;
		if (death_) {
			p[1].fd = death_->pollable().get();
			n = 2;
		}
		auto start = steady_clock::now();
		for (;;) {
			// With a death watch, wake up at least every kDeathPoll to
			// ask XenStore whether the peer still exists: the watch fd
			// alone is not enough (libxenstore.a, the static library,
			// is built without its reader thread and never makes the
			// fd readable; and a missed event must not mean a hang).
			int slice = static_cast<int>(timeout.count());
			if (death_) {
				auto left = timeout.count() < 0
						    ? kDeathPoll
						    : std::min(kDeathPoll, duration_cast<milliseconds>(
										   start + timeout - steady_clock::now()));
				slice = static_cast<int>(std::max(left, milliseconds(0)).count());
			}
			int r = ::poll(p, n, slice);
			if (r < 0) {
				if (errno == EINTR)
					return true;
				return Error::from_errno(what() + ": poll", errno);
			}
			if (r > 0) {
				TRY(consume(p[0].revents != 0, n == 2 && p[1].revents != 0));
				return true;
			}
			if (death_) {
				TRY(consume(false, true));
				if (peer_dead_)
					return true;
			}
			if (timeout.count() >= 0 && steady_clock::now() - start >= timeout)
				return false;
		}
	}

	borrowed_fd pollable() override
	{
		if (!death_)
			return borrowed_fd(libxenvchan_fd_for_select(c_));
		if (!epoll_) {
			epoll_ = unique_fd(::epoll_create1(EPOLL_CLOEXEC));
			struct epoll_event e = {EPOLLIN, {}};
			::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, libxenvchan_fd_for_select(c_), &e);
			::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, death_->pollable().get(), &e);
		}
		return borrowed_fd(epoll_.get());
	}

	Result<void> handle_events() override
	{
		struct pollfd p[2] = {{libxenvchan_fd_for_select(c_), POLLIN, 0}, {-1, POLLIN, 0}};
		nfds_t n = 1;
		if (death_) {
			p[1].fd = death_->pollable().get();
			n = 2;
		}
		if (::poll(p, n, 0) < 0)
			return Error::from_errno(what() + ": poll", errno);
		// Ask about the peer at least every kDeathPoll (see wait()).
		bool ask = n == 2 && (p[1].revents != 0 ||
				      std::chrono::steady_clock::now() - last_check_ >= kDeathPoll);
		return consume(p[0].revents != 0, ask);
	}

private:
	std::string what() const { return "vchan " + path_ + " with dom" + std::to_string(peer_); }

	Result<void> consume(bool evtchn, bool death)
	{
		// The event-channel fd is readable: libxenvchan_wait() takes the
		// pending event and unmasks the port without blocking.
		if (evtchn && libxenvchan_wait(c_) < 0)
			return Error::from_errno(what() + ": event channel", errno);
		if (death) {
			last_check_ = std::chrono::steady_clock::now();
			TRY_ASSIGN(bool gone, death_->check());
			if (gone)
				peer_dead_ = true;
		}
		return ok();
	}

	libxenvchan *c_;
	DomainId peer_;
	std::string path_;
	std::unique_ptr<DomainDeathWatch> death_;
	unique_fd epoll_;
	bool peer_dead_ = false;
	std::chrono::steady_clock::time_point last_check_{};
};

Result<std::unique_ptr<DomainDeathWatch>> maybe_death_watch(DomainId peer, const VchanOptions &o)
{
	if (!o.watch_peer_death)
		return std::unique_ptr<DomainDeathWatch>();
	return watch_domain_death(peer);
}

} // namespace

Result<std::unique_ptr<ByteTransport>> vchan_listen(DomainId peer, const std::string &path,
						     const VchanOptions &options)
{
	TRY_ASSIGN(auto death, maybe_death_watch(peer, options));
	libxenvchan *c = libxenvchan_server_init(nullptr, peer, path.c_str(), options.read_ring,
						 options.write_ring);
	if (!c)
		return Error::from_errno("vchan listen at " + path + " for dom" + std::to_string(peer),
					 errno);
	return std::unique_ptr<ByteTransport>(new VchanTransport(c, peer, path, std::move(death)));
}

Result<std::unique_ptr<ByteTransport>> vchan_connect(DomainId server, const std::string &path,
						      const VchanOptions &options)
{
	TRY_ASSIGN(auto death, maybe_death_watch(server, options));
	auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
	for (;;) {
		libxenvchan *c = libxenvchan_client_init(nullptr, server, path.c_str());
		if (c)
			return std::unique_ptr<ByteTransport>(
				new VchanTransport(c, server, path, std::move(death)));
		int e = errno;
		if (std::chrono::steady_clock::now() >= deadline)
			return Error::from_errno("vchan connect to " + path + " of dom" +
							 std::to_string(server) + " (gave up after " +
							 std::to_string(options.connect_timeout.count()) + " ms)",
						 e);
		if (death) {
			TRY_ASSIGN(bool gone, death->check());
			if (gone)
				return err("vchan connect to " + path + ": dom" + std::to_string(server) +
					   " is gone");
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
}

Result<MessageChannel> message_channel_listen(DomainId peer, const std::string &path,
					      ChannelLimits limits, const VchanOptions &options)
{
	TRY_ASSIGN(auto t, vchan_listen(peer, path, options));
	return MessageChannel(std::move(t), limits);
}

Result<MessageChannel> message_channel_connect(DomainId server, const std::string &path,
					       ChannelLimits limits, const VchanOptions &options)
{
	TRY_ASSIGN(auto t, vchan_connect(server, path, options));
	return MessageChannel(std::move(t), limits);
}

} // namespace bulkhead::xen
