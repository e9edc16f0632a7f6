// SPDX-License-Identifier: GPL-2.0-only
// The real InputConnector: XenStore + grant map + event channel.
#include <charconv>
#include <string>

#include "bulkhead/xen/evtchn.h"
#include "bulkhead/xen/grant.h"
#include "bulkhead/xen/xenstore.h"
#include "input_link.h"

namespace bulkhead::gui {
namespace {

Result<uint32_t> parse_u32(const std::string &what, const std::string &s, uint32_t max)
{
	uint32_t v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || s.size() > 10 || ec != std::errc() || end != s.data() + s.size() ||
	    (s.size() > 1 && s[0] == '0') || v > max)
		return err("AppVM's " + what + " '" + s.substr(0, 16) + "' is not a number in 0.." +
			   std::to_string(max));
	return v;
}

class XenLink final : public InputLink {
public:
	XenLink(Mapping m, std::unique_ptr<xen::EventChannel> ch, input::Producer p)
	    : map_(std::move(m)), ch_(std::move(ch)), producer_(std::move(p))
	{
	}
	input::Producer &producer() override { return producer_; }
	Result<void> notify() override { return ch_->notify(); }
	int poll_fd() const override { return ch_->pollable().get(); }
	Result<void> consume() override
	{
		TRY(ch_->consume());
		return ok();
	}

private:
	Mapping map_; // declared first: outlives the producer that points into it
	std::unique_ptr<xen::EventChannel> ch_;
	input::Producer producer_;
};

class XenConnector final : public InputConnector {
public:
	XenConnector(uint16_t domid, std::unique_ptr<xen::Store> store,
		     std::unique_ptr<xen::StoreWatch> watch, std::unique_ptr<xen::GrantMapper> mapper)
	    : domid_(domid), store_(std::move(store)), watch_(std::move(watch)),
	      mapper_(std::move(mapper))
	{
	}
	int poll_fd() const override { return watch_->pollable().get(); }

	Result<Update> update() override
	{
		for (;;) { // drain the watch: we look at the current state anyway
			TRY_ASSIGN(auto e, watch_->next());
			if (!e)
				break;
		}
		Update u;
		auto state = store_->read(GNTINPUT_XS_STATE);
		if (!state.ok() || *state != "connected") {
			if (current_) {
				current_.reset();
				u.changed = true;
			}
			return u;
		}
		TRY_ASSIGN(std::string ref_s, store_->read(GNTINPUT_XS_RING_REF));
		TRY_ASSIGN(std::string port_s, store_->read(GNTINPUT_XS_EVTCHN));
		TRY_ASSIGN(uint32_t ref, parse_u32("input ring-ref", ref_s, 0xffffffffu));
		TRY_ASSIGN(uint32_t port, parse_u32("input event-channel", port_s, 0xffffffu));
		if (current_ && current_->first == ref && current_->second == port)
			return u;
		u.changed = true;
		current_.reset();
		TRY_ASSIGN(Mapping m, mapper_->map(domid_, xen::GrantRefs({xen::GrantRef{ref}}), true));
		TRY_ASSIGN(auto p, input::Producer::attach(m.bytes()));
		TRY_ASSIGN(auto ch, xen::open_interdomain_event_channel(domid_, xen::EvtchnPort{port}));
		current_ = std::pair(ref, port);
		u.link = std::make_unique<XenLink>(std::move(m), std::move(ch), std::move(p));
		return u;
	}

private:
	uint16_t domid_;
	std::unique_ptr<xen::Store> store_;
	std::unique_ptr<xen::StoreWatch> watch_;
	std::unique_ptr<xen::GrantMapper> mapper_;
	std::optional<std::pair<uint32_t, uint32_t>> current_;
};

} // namespace

Result<std::unique_ptr<InputConnector>> xen_input_connector(uint16_t domid)
{
	TRY_ASSIGN(auto store, xen::open_store(domid));
	TRY_ASSIGN(auto watch, store->watch(GNTINPUT_XS_DIR));
	TRY_ASSIGN(auto mapper, xen::open_grant_mapper(1));
	return std::unique_ptr<InputConnector>(std::make_unique<XenConnector>(
		domid, std::move(store), std::move(watch), std::move(mapper)));
}

} // namespace bulkhead::gui
