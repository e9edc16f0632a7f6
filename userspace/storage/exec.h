// SPDX-License-Identifier: GPL-2.0-only
// Runs a helper program (blocksig, mkfs) without a shell and keeps its
// output, so a failure can say what the helper said.
#pragma once

#include <string>
#include <vector>

#include "bulkhead/result.h"

namespace storage {

struct ExecResult {
	int status = -1;    // exit status; 128 + signal if killed
	std::string output; // stdout and stderr, interleaved
};

// posix_spawnp(argv[0]); an error only if it could not be run at all.
bulkhead::Result<ExecResult> run_program(const std::vector<std::string> &argv);
// run_program, and an error naming the program and its last output line
// unless it exited 0.
bulkhead::Result<void> run_checked(const std::vector<std::string> &argv);

} // namespace storage
