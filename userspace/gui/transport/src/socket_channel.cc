// SPDX-License-Identifier: GPL-2.0-only
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bulkhead/gui/channel.h"

namespace bulkhead::gui {
namespace {

class SocketChannel final : public Channel {
public:
	SocketChannel(unique_fd fd, size_t max_message, size_t max_queued)
	    : fd_(std::move(fd)), max_message_(max_message), max_queued_(max_queued)
	{
	}

	Result<void> send(std::span<const uint8_t> m) override
	{
		if (m.size() > max_message_)
			return err("send: message of " + std::to_string(m.size()) +
				   " bytes over the limit");
		if (queued_ + m.size() > max_queued_)
			return err("send: peer is not reading (" + std::to_string(queued_) +
				   " bytes queued)");
		queue_.emplace_back(m.begin(), m.end());
		queued_ += m.size();
		TRY(flush());
		return ok();
	}

	Result<bool> flush() override
	{
		while (!queue_.empty()) {
			const auto &m = queue_.front();
			ssize_t n = ::send(fd_.get(), m.data(), m.size(), MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return false;
				if (errno == EINTR)
					continue;
				return Error::from_errno("send", errno);
			}
			queued_ -= m.size();
			queue_.pop_front();
		}
		return true;
	}

	Result<std::optional<std::vector<uint8_t>>> receive() override
	{
		std::vector<uint8_t> buf(max_message_ + 1);
		for (;;) {
			ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_TRUNC);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return std::optional<std::vector<uint8_t>>();
				if (errno == EINTR)
					continue;
				if (errno == ECONNRESET)
					return err("peer closed the channel (reset)");
				return Error::from_errno("recv", errno);
			}
			if (n == 0)
				return err("peer closed the channel");
			if (size_t(n) > max_message_)
				return err("message of " + std::to_string(n) +
					   " bytes over the limit of " +
					   std::to_string(max_message_));
			buf.resize(size_t(n));
			return std::optional<std::vector<uint8_t>>(std::move(buf));
		}
	}

	int poll_fd() const override { return fd_.get(); }
	bool wants_write() const override { return !queue_.empty(); }

private:
	unique_fd fd_;
	size_t max_message_, max_queued_;
	std::deque<std::vector<uint8_t>> queue_;
	size_t queued_ = 0;
};

Result<sockaddr_un> unix_addr(const std::string &path)
{
	sockaddr_un a{};
	a.sun_family = AF_UNIX;
	if (path.empty() || path.size() >= sizeof(a.sun_path))
		return err(path + ": bad socket path length");
	std::memcpy(a.sun_path, path.data(), path.size());
	return a;
}

} // namespace

Result<std::unique_ptr<Channel>> socket_channel(unique_fd fd, size_t max_message,
						size_t max_queued)
{
	int fl = fcntl(fd.get(), F_GETFL);
	if (fl < 0 || fcntl(fd.get(), F_SETFL, fl | O_NONBLOCK) < 0)
		return Error::from_errno("fcntl O_NONBLOCK", errno);
	int type = 0;
	socklen_t len = sizeof(type);
	if (getsockopt(fd.get(), SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return Error::from_errno("channel fd", errno);
	if (type != SOCK_SEQPACKET)
		return err("channel fd is not a SOCK_SEQPACKET socket");
	return std::unique_ptr<Channel>(
		std::make_unique<SocketChannel>(std::move(fd), max_message, max_queued));
}

Result<std::pair<unique_fd, unique_fd>> seqpacket_pair()
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return Error::from_errno("socketpair", errno);
	return std::pair<unique_fd, unique_fd>(unique_fd(sv[0]), unique_fd(sv[1]));
}

Result<unique_fd> seqpacket_listen(const std::string &path)
{
	TRY_ASSIGN(sockaddr_un a, unix_addr(path));
	unique_fd fd(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
	if (!fd)
		return Error::from_errno("socket", errno);
	::unlink(path.c_str());
	if (bind(fd.get(), reinterpret_cast<sockaddr *>(&a), sizeof(a)) < 0)
		return Error::from_errno("bind " + path, errno);
	if (listen(fd.get(), 4) < 0)
		return Error::from_errno("listen " + path, errno);
	return fd;
}

Result<unique_fd> seqpacket_accept(const unique_fd &listener)
{
	int fd = accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
	if (fd < 0)
		return Error::from_errno("accept", errno);
	return unique_fd(fd);
}

Result<unique_fd> seqpacket_connect(const std::string &path)
{
	TRY_ASSIGN(sockaddr_un a, unix_addr(path));
	unique_fd fd(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
	if (!fd)
		return Error::from_errno("socket", errno);
	if (connect(fd.get(), reinterpret_cast<sockaddr *>(&a), sizeof(a)) < 0)
		return Error::from_errno("connect " + path, errno);
	return fd;
}

} // namespace bulkhead::gui
