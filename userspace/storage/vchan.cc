// SPDX-License-Identifier: GPL-2.0-only
// The key channel over libxenvchan. dom0 is the server: it grants the ring
// pages to the one AppVM it means, so no other domain (the storage domain
// included) can map them. The AppVM is the client.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <poll.h>
#include <thread>

extern "C" {
#include <libxenvchan.h>
#include <xenstore.h>
}

#include "key_message.h"
#include "real.h"

namespace storage {

using bulkhead::err;
using bulkhead::Error;
using Clock = std::chrono::steady_clock;

namespace {

struct VchanDeleter {
	void operator()(libxenvchan *v) const { libxenvchan_close(v); }
};
using Vchan = std::unique_ptr<libxenvchan, VchanDeleter>;

int ms_left(Clock::time_point deadline)
{
	auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
	return d.count() > 0 ? int(d.count()) : 0;
}

// Waits for the vchan's event channel (or the deadline); false on timeout.
bool wait_event(libxenvchan *v, Clock::time_point deadline)
{
	pollfd p{libxenvchan_fd_for_select(v), POLLIN, 0};
	int r = poll(&p, 1, std::min(ms_left(deadline), 200));
	if (r > 0)
		libxenvchan_wait(v);
	return Clock::now() < deadline;
}

Result<void> read_exact(libxenvchan *v, uint8_t *buf, size_t len, Clock::time_point deadline,
			const char *what)
{
	size_t got = 0;
	while (got < len) {
		int n = libxenvchan_read(v, buf + got, len - got);
		if (n < 0)
			return err(std::string("vchan read failed while waiting for ") + what);
		got += size_t(n);
		if (got == len)
			break;
		if (n == 0 && !libxenvchan_is_open(v))
			return err(std::string("the peer closed the channel before sending ") +
				   what);
		if (n == 0 && !wait_event(v, deadline))
			return err(std::string("timed out waiting for ") + what);
	}
	return {};
}

Result<void> write_all(libxenvchan *v, std::span<const uint8_t> data, Clock::time_point deadline)
{
	size_t done = 0;
	while (done < data.size()) {
		int n = libxenvchan_write(v, data.data() + done, data.size() - done);
		if (n < 0)
			return err("vchan write failed");
		done += size_t(n);
		if (done < data.size() && !wait_event(v, deadline))
			return err("timed out writing to the vchan");
	}
	return {};
}

} // namespace

Result<Secret> VchanKeySource::fetch()
{
	auto deadline = Clock::now() + std::chrono::seconds(timeout_);
	Vchan v;
	// dom0 publishes the channel after it has started this domain; retry
	// until it is there.
	while (!v) {
		v.reset(libxenvchan_client_init(nullptr, 0, path_.c_str()));
		if (v)
			break;
		if (Clock::now() >= deadline)
			return err("dom0 did not offer a key within " + std::to_string(timeout_) +
				   " s (no vchan at " + path_ + ")");
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
	}
	v->blocking = 0;
	uint8_t hdr[kKeyHeaderSize];
	TRY(read_exact(v.get(), hdr, sizeof hdr, deadline, "the key message"));
	KeyMessageType type;
	TRY_ASSIGN(size_t len, parse_key_header(hdr, type));
	Secret payload(len);
	TRY(read_exact(v.get(), payload.data(), len, deadline, "the key"));
	TRY_ASSIGN(KeyMessage m, parse_key_payload(type, payload.bytes()));
	TRY(write_all(v.get(),
		      {reinterpret_cast<const uint8_t *>(kKeyAck), kKeyAckSize}, deadline));
	if (m.type == KeyMessageType::refused)
		return err("dom0 refused: " + m.reason);
	return std::move(m.key);
}

Result<void> vchan_send_key_message(int domid, const std::string &xs_path,
				    std::span<const uint8_t> message, unsigned timeout)
{
	auto deadline = Clock::now() + std::chrono::seconds(timeout);
	// The ring nodes go when this delivery ends, so a later delivery to the
	// same domain is never confused with this one's closed rings.
	struct RemoveNodes {
		const std::string &path;
		~RemoveNodes()
		{
			if (xs_handle *xs = xs_open(0)) {
				xs_rm(xs, XBT_NULL, path.c_str());
				xs_close(xs);
			}
		}
	} remove_nodes{xs_path};
	Vchan v(libxenvchan_server_init(nullptr, domid, xs_path.c_str(), 1024, 1024));
	if (!v)
		return Error::from_errno("vchan server for domain " + std::to_string(domid) +
						 " at " + xs_path,
					 errno);
	v->blocking = 0;
	// libxenvchan_is_open: 2 while no client has connected yet.
	while (libxenvchan_is_open(v.get()) == 2)
		if (!wait_event(v.get(), deadline))
			return err("domain " + std::to_string(domid) +
				   " did not connect to the key channel within " +
				   std::to_string(timeout) + " s");
	TRY(write_all(v.get(), message, deadline));
	uint8_t ack[kKeyAckSize];
	TRY(read_exact(v.get(), ack, sizeof ack, deadline, "the AppVM's acknowledgement"));
	if (std::memcmp(ack, kKeyAck, kKeyAckSize) != 0)
		return err("domain " + std::to_string(domid) + " sent a bad acknowledgement");
	return {};
}

} // namespace storage
