// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/gui/vchan_channel.h"

#include <chrono>

#include "bulkhead/gui/protocol.h"
#include "bulkhead/xen/frame.h"
#include "bulkhead/xen/vchan.h"

namespace bulkhead::gui {
namespace {

class VchanChannel final : public Channel {
public:
	VchanChannel(xen::MessageChannel ch, int max_wait_ms)
	    : ch_(std::move(ch)), max_wait_ms_(max_wait_ms)
	{
	}

	Result<void> send(std::span<const uint8_t> m) override
	{
		TRY_ASSIGN(bool queued, ch_.try_send(kGuiFrameType, std::as_bytes(m)));
		if (!queued)
			return err("send: peer is not reading (" + std::to_string(ch_.pending_bytes()) +
				   " bytes queued)");
		return ok();
	}
	Result<bool> flush() override { return ch_.flush(); }
	Result<std::optional<std::vector<uint8_t>>> receive() override
	{
		TRY(ch_.handle_events());
		TRY_ASSIGN(auto m, ch_.receive());
		if (!m)
			return std::optional<std::vector<uint8_t>>();
		if (m->type != kGuiFrameType)
			return err("frame of type " + std::to_string(m->type) + " on the GUI channel");
		const auto *p = reinterpret_cast<const uint8_t *>(m->payload.data());
		return std::optional<std::vector<uint8_t>>(std::vector<uint8_t>(p, p + m->payload.size()));
	}
	int poll_fd() const override { return const_cast<xen::MessageChannel &>(ch_).pollable().get(); }
	bool wants_write() const override { return ch_.has_pending(); }
	size_t framing_bytes() const override { return xen::kFrameHeaderSize; }
	int max_wait_ms() const override { return max_wait_ms_; }

private:
	xen::MessageChannel ch_;
	int max_wait_ms_;
};

xen::ChannelLimits limits()
{
	xen::ChannelLimits l;
	l.max_message = uint32_t(kMaxMessageSize);
	l.max_queued = 4u << 20;
	return l;
}

} // namespace

std::unique_ptr<Channel> vchan_channel(xen::MessageChannel channel, int max_wait_ms)
{
	return std::make_unique<VchanChannel>(std::move(channel), max_wait_ms);
}

Result<std::unique_ptr<Channel>> vchan_connect_to_guest(xen::DomainId guest)
{
	std::string path = "/local/domain/" + std::to_string(guest) + "/" + kGuiVchanPath;
	xen::VchanOptions o;
	// An AppVM's X session and agent may start minutes after the domain
	// (guid is started with it), e.g. under emulation.
	o.connect_timeout = std::chrono::milliseconds(300000);
	TRY_ASSIGN(auto ch, xen::message_channel_connect(guest, path, limits(), o));
	// An idle guid wakes once a second to ask whether the AppVM still
	// exists: a destroyed AppVM's windows leave dom0's screen then.
	return vchan_channel(std::move(ch), 1000);
}

Result<std::unique_ptr<Channel>> vchan_listen_for_dom0()
{
	// No death watch of dom0: an AppVM may not ask XenStore about dom0
	// (IS_DOMAIN_INTRODUCED is privileged, dom0's directory unreadable), so
	// the check would report dom0 gone at once and end the agent; and dom0
	// is the AppVM's world anyway.
	xen::VchanOptions o;
	o.watch_peer_death = false;
	TRY_ASSIGN(auto ch, xen::message_channel_listen(0, kGuiVchanPath, limits(), o));
	return vchan_channel(std::move(ch));
}

} // namespace bulkhead::gui
