// SPDX-License-Identifier: GPL-2.0-only
// The real GUI transport: a vchan between the AppVM (server: it grants the
// rings) and dom0 (client), through userspace/common's MessageChannel. Each
// GUI message is one frame of type kGuiFrameType; the frame's length must
// agree with the GUI header's (decode_* checks).
#pragma once

#include <memory>
#include <string>

#include "bulkhead/gui/channel.h"
#include "bulkhead/xen/message_channel.h"
#include "bulkhead/xen/types.h"

namespace bulkhead::gui {

constexpr uint32_t kGuiFrameType = 0x47554931; // "GUI1"
// XenStore path of the GUI vchan, relative to the AppVM's home.
constexpr const char *kGuiVchanPath = "data/bulkhead-gui";

// MAX_WAIT_MS: see Channel::max_wait_ms().
std::unique_ptr<Channel> vchan_channel(xen::MessageChannel channel, int max_wait_ms = -1);
// dom0: connect to the AppVM's rings (retries until the agent listens).
Result<std::unique_ptr<Channel>> vchan_connect_to_guest(xen::DomainId guest);
// AppVM: share the rings with dom0 and wait for it.
Result<std::unique_ptr<Channel>> vchan_listen_for_dom0();

} // namespace bulkhead::gui
