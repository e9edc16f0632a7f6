// SPDX-License-Identifier: GPL-2.0-only
// EventChannel over libxenevtchn (/dev/xen/evtchn).
#include <cerrno>
#include <poll.h>

extern "C" {
#include <xenevtchn.h>
}

#include "bulkhead/xen/evtchn.h"

namespace bulkhead::xen {

namespace {

class XenEventChannel final : public EventChannel {
public:
	XenEventChannel(xenevtchn_handle *h, evtchn_port_t port, DomainId remote)
	    : h_(h), port_(port), remote_(remote)
	{
	}
	~XenEventChannel() override
	{
		xenevtchn_unbind(h_, port_);
		xenevtchn_close(h_);
	}

	EvtchnPort local_port() const override { return EvtchnPort{port_}; }
	DomainId remote_domain() const override { return remote_; }

	Result<void> notify() override
	{
		if (xenevtchn_notify(h_, port_) < 0)
			return Error::from_errno("event channel notify (port " + std::to_string(port_) + ")",
						 errno);
		return ok();
	}

	Result<bool> consume() override { return wait(std::chrono::milliseconds(0)); }

	Result<bool> wait(std::chrono::milliseconds timeout) override
	{
		struct pollfd p = {xenevtchn_fd(h_), POLLIN, 0};
		int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
		if (r < 0)
			return Error::from_errno("event channel poll", errno);
		if (r == 0)
			return false;
		xenevtchn_port_or_error_t got = xenevtchn_pending(h_);
		if (got < 0)
			return Error::from_errno("event channel pending", errno);
		if (xenevtchn_unmask(h_, static_cast<evtchn_port_t>(got)) < 0)
			return Error::from_errno("event channel unmask", errno);
		return true;
	}

	borrowed_fd pollable() const override { return borrowed_fd(xenevtchn_fd(h_)); }

private:
	xenevtchn_handle *h_;
	evtchn_port_t port_;
	DomainId remote_;
};

Result<xenevtchn_handle *> open_handle()
{
	xenevtchn_handle *h = xenevtchn_open(nullptr, 0);
	if (!h)
		return Error::from_errno("event channel: xenevtchn_open (/dev/xen/evtchn)", errno);
	return h;
}

} // namespace

Result<std::unique_ptr<EventChannel>> open_unbound_event_channel(DomainId remote)
{
	TRY_ASSIGN(xenevtchn_handle * h, open_handle());
	xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(h, remote);
	if (port < 0) {
		int e = errno;
		xenevtchn_close(h);
		return Error::from_errno("event channel: bind unbound port for dom" + std::to_string(remote), e);
	}
	return std::unique_ptr<EventChannel>(
		new XenEventChannel(h, static_cast<evtchn_port_t>(port), remote));
}

Result<std::unique_ptr<EventChannel>> open_interdomain_event_channel(DomainId remote,
								      EvtchnPort remote_port)
{
	TRY_ASSIGN(xenevtchn_handle * h, open_handle());
	xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(h, remote, remote_port.value);
	if (port < 0) {
		int e = errno;
		xenevtchn_close(h);
		return Error::from_errno("event channel: bind to dom" + std::to_string(remote) + " port " +
						 std::to_string(remote_port.value),
					 e);
	}
	return std::unique_ptr<EventChannel>(
		new XenEventChannel(h, static_cast<evtchn_port_t>(port), remote));
}

} // namespace bulkhead::xen
