// SPDX-License-Identifier: GPL-2.0-only
// The AppVM side's configuration: /etc/bulkhead/storage.conf, "key = value"
// lines, '#' comments. Every key can also be given on the command line as
// --key-name VALUE (underscores become dashes), which wins over the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "bulkhead/result.h"

namespace storage {

// blocksig image ids are 16 bytes.
inline constexpr size_t kImageIdBytes = 16;

struct GuestConfig {
	// The signed base: data and blocksig metadata, the certificate that
	// verifies it, and the oldest image version accepted (anti-rollback).
	std::string base_image = "/dev/xvda";
	std::string base_meta = "/dev/xvdb";
	std::string base_cert = "/etc/bulkhead/base-signing.crt";
	uint64_t base_min_version = 1;
	// The base's image id (32 hex digits, as `blocksig format` prints it):
	// when set, a base signed by the same key for another image (another
	// template) is refused. Empty: any image the certificate verifies.
	std::string base_image_id = "";
	// Throwaway overlay: re-keyed at random at every start.
	std::string overlay_device = "/dev/xvdc";
	// Persistent LUKS2 private volume, key from dom0 ("vchan") or, for
	// tests and recovery, "file:/path".
	std::string private_device = "/dev/xvdd";
	std::string private_key = "vchan";
	unsigned key_timeout = 60; // seconds to wait for dom0's key
	std::string key_vchan_path = "data/bulkhead-storage/key"; // relative xenstore path
	// Where things go: root at root_mount, private at root_mount + private_mount.
	std::string root_mount = "/root";
	std::string private_mount = "/rw";
	std::string root_fstype = "ext4";
	std::string private_fstype = "ext4";
	std::string root_options = "";
	std::string private_options = "nodev,nosuid";
	// device-mapper names are <dm_prefix>-{base,overlay,root,private}.
	std::string dm_prefix = "bulkhead";
	uint32_t chunk_sectors = 8; // dm-snapshot chunk: 4 KiB
	std::string blocksig = "blocksig"; // the blocksig tool (PATH lookup)
};

// Parses FILE's text into CFG (keys not in the text keep their value).
bulkhead::Result<void> parse_config(std::string_view text, GuestConfig &cfg);
// Sets one key; the error names the key.
bulkhead::Result<void> set_config(GuestConfig &cfg, const std::string &key,
				  const std::string &value);
// The effective configuration, one "key = value" per line.
std::string dump_config(const GuestConfig &cfg);

} // namespace storage
