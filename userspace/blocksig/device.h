// SPDX-License-Identifier: GPL-2.0-only
// `blocksig open|close|status`: loop devices, the kernel keyring and
// device-mapper behind one narrow seam (System), with the real Linux
// implementation from make_linux_system() and a fake in device_test.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bulkhead/result.h"
#include "bulkhead/unique_fd.h"
#include "metadata.h"

namespace blocksig {

struct DevNum {
	unsigned major = 0, minor = 0;
	std::string str() const { return std::to_string(major) + ":" + std::to_string(minor); }
};

// A block device for the table: either a loop device this process attached
// (loop_fd valid, detach() undoes it) or an existing block device.
struct Attached {
	DevNum dev;
	std::string loop_path;
	bulkhead::unique_fd loop_fd;
};

struct DmTarget {
	uint64_t start = 0, length = 0;
	std::string type, params;
};

class System {
public:
	virtual ~System() = default;
	virtual bool is_root() = 0;
	// Regular file: a new read-only, auto-clearing loop device over it.
	// Block device: itself.
	virtual bulkhead::Result<Attached> attach_read_only(const std::string &path) = 0;
	virtual void detach(Attached &a) = 0;
	// "asymmetric" key in the user keyring; returns its serial.
	virtual bulkhead::Result<int32_t> add_key(const std::string &desc,
						  std::span<const uint8_t> der) = 0;
	virtual std::optional<int32_t> find_key(const std::string &desc) = 0;
	virtual void unlink_key(int32_t serial) = 0;
	// nullopt if there is no device NAME.
	virtual bulkhead::Result<std::optional<std::vector<DmTarget>>>
	dm_table(const std::string &name) = 0;
	virtual bulkhead::Result<std::vector<DmTarget>> dm_status(const std::string &name) = 0;
	virtual bulkhead::Result<void> dm_create_ro(const std::string &name, const DmTarget &t) = 0;
	virtual bulkhead::Result<void> dm_remove(const std::string &name) = 0;
};

std::unique_ptr<System> make_linux_system();

enum class OnCorruption { Eio, Restart, Panic, Ignore };

struct TableOptions {
	OnCorruption on_corruption = OnCorruption::Eio;
	std::optional<uint64_t> cache_entries;
};

std::string key_description(const std::string &name);

// <data_dev> <meta_dev> blocksig:NAME <image_id_hex32> <min_version>
//   [<#opt_args> <opt_args>...]
std::string table_params(const DevNum &data, const DevNum &meta, const std::string &name,
			 const ImageId &image_id, uint64_t min_version, const TableOptions &opts);

// A dm device name: 1..127 bytes, no '/', no whitespace, not "." or "..".
bulkhead::Result<void> check_name(const std::string &name);

struct OpenParams {
	std::string name, image, meta;
	ImageId image_id{};
	uint64_t min_version = 1;
	uint64_t data_sectors = 0;
	TableOptions opts;
	std::vector<uint8_t> cert_der;
};

// Attaches IMAGE and META, adds the key, creates the read-only device; on
// any failure undoes what it did, in reverse order.
bulkhead::Result<void> open_device(System &sys, const OpenParams &p);
bulkhead::Result<void> close_device(System &sys, const std::string &name);

struct StatusInfo {
	std::string data_dev, meta_dev, key_desc, image_id;
	uint64_t min_version = 0;
	uint64_t sectors = 0;
	std::vector<std::string> options;
	std::string status_line;
	std::vector<std::pair<std::string, std::string>> fields; // key=value of status
};

bulkhead::Result<StatusInfo> status_device(System &sys, const std::string &name);
// Parses the table params of a blocksig target (inverse of table_params).
bulkhead::Result<StatusInfo> parse_table_params(const std::string &params);

} // namespace blocksig
