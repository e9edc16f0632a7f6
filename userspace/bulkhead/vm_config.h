// SPDX-License-Identifier: GPL-2.0-only
// AppVM definitions: one small file per AppVM, /etc/bulkhead/vms/<name>.conf
// (format in bulkhead(8)). Parsed strictly: unknown or repeated keys,
// missing required keys and out-of-range values are errors that name the
// file and line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bulkhead/result.h"

namespace bulkhead::vm {

constexpr const char *kDefaultConfDir = "/etc/bulkhead/vms";

struct VmConfig {
	std::string name;
	std::string label;
	uint32_t memory_mib = 0;
	uint32_t vcpus = 1;
	std::string kernel;
	std::string ramdisk; // optional
	std::string cmdline; // optional, kernel command line
	std::string run;     // optional, command the AppVM starts in its session
	// Storage served by a storage domain (Documentation/storage.rst); on
	// when storage_backend is set: the xl config gets the four disks and
	// `bulkhead start` hands the AppVM its volume key.
	std::string storage_backend; // the storage domain's name
	std::string storage_pool;    // the pool directory in the storage domain
	std::string storage_script = "block"; // its hotplug script
	std::string storage_keys = "/var/lib/bulkhead/storage/keys"; // dom0's key store
};

// `file` names the source in errors; `expected_name` (from the file name)
// must equal the name key when not empty.
Result<VmConfig> parse_vm_config(std::string_view text, const std::string &file,
				 const std::string &expected_name = "");
Result<VmConfig> load_vm_config(const std::string &confdir, const std::string &name);
// Names of every <name>.conf in confdir, sorted.
Result<std::vector<std::string>> list_vm_names(const std::string &confdir);

// The xl(1) domain configuration for a VM (PV guest).
std::string xl_config(const VmConfig &vm);

} // namespace bulkhead::vm
