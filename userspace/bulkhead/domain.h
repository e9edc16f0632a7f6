// SPDX-License-Identifier: GPL-2.0-only
// Starting and stopping AppVMs: xl(1) for the domain, bulkhead-guid for its
// windows. Commands run without a shell (argv vectors), so nothing in a
// config value is ever interpreted.
#pragma once

#include <optional>
#include <sys/types.h>
#include <string>
#include <vector>

#include "bulkhead/result.h"
#include "vm_config.h"

namespace bulkhead::vm {

struct Paths {
	std::string confdir = kDefaultConfDir;
	std::string rundir = "/run/bulkhead";
	std::string logdir = "/var/log/bulkhead";
	std::string xl = "xl";
	std::string xenstore_write = "xenstore-write";
	std::string xenstore_chmod = "xenstore-chmod";
	std::string guid = "bulkhead-guid";
	std::string storage = "bulkhead-storage";
};

// Runs argv, waits; stdout captured into *out when given. Error if it
// cannot run or exits non-zero (the error names the command). quiet: its
// stderr goes to /dev/null.
Result<void> run_command(const std::vector<std::string> &argv, std::string *out = nullptr,
			 bool quiet = false);

// The running domain's id, nullopt if not running.
std::optional<uint32_t> domain_id(const Paths &p, const std::string &name);

Result<uint32_t> start_vm(const Paths &p, const VmConfig &vm);
Result<void> stop_vm(const Paths &p, const std::string &name, bool force);
// Starts the running AppVM's bulkhead-guid again if it is not running (it
// died, or was killed): its windows come back, the agent reconnects. Returns
// the guid's pid; an error if the AppVM is not running or its guid is.
Result<pid_t> restart_gui(const Paths &p, const VmConfig &vm);

} // namespace bulkhead::vm
