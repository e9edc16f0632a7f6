// SPDX-License-Identifier: GPL-2.0-only
// ByteTransport over libxenvchan (two shared rings + one event channel).
// The server shares the ring pages and publishes them at a XenStore path
// readable by its peer only; the client maps them. In Bulkhead the guest is
// the server (it grants), dom0 the client (it maps).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "bulkhead/xen/message_channel.h"
#include "bulkhead/xen/types.h"

namespace bulkhead::xen {

struct VchanOptions {
	// Ring sizes requested by the server (libxenvchan rounds up to pages).
	size_t read_ring = 64 * 1024;
	size_t write_ring = 64 * 1024;
	// Client: how long to retry while the server's nodes are not there yet.
	std::chrono::milliseconds connect_timeout{10000};
	// Also end waits with an error when the peer domain dies (XenStore
	// @releaseDomain). Needs the right to watch it (dom0, or 4.17 guests for
	// domains they may see).
	bool watch_peer_death = true;
};

// Server: shares the rings with `peer`, nodes at `path` (relative paths are
// relative to our own domain's XenStore directory).
Result<std::unique_ptr<ByteTransport>> vchan_listen(DomainId peer, const std::string &path,
						     const VchanOptions &options = {});
// Client: maps the rings `server` published at `path` (absolute, e.g.
// /local/domain/<server>/data/x).
Result<std::unique_ptr<ByteTransport>> vchan_connect(DomainId server, const std::string &path,
						      const VchanOptions &options = {});

// Convenience: a MessageChannel over a vchan.
Result<MessageChannel> message_channel_listen(DomainId peer, const std::string &path,
					      ChannelLimits limits, const VchanOptions &options = {});
Result<MessageChannel> message_channel_connect(DomainId server, const std::string &path,
					       ChannelLimits limits,
					       const VchanOptions &options = {});

} // namespace bulkhead::xen
