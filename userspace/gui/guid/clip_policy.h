// SPDX-License-Identifier: GPL-2.0-only
// The per-pair clipboard policy (Documentation/clipboard.rst): which AppVM's
// copy may be pasted into which. A text file, /etc/bulkhead/clipboard.policy
// by default, one rule per line, the first matching rule wins:
//
//   # SOURCE      TARGET     ACTION
//   label:red     banking    deny
//   *             label:red  deny
//   *             *          allow
//
// SOURCE and TARGET are a VM name, "label:COLOUR" or "*"; ACTION is allow
// or deny. No matching rule denies. A missing file allows every pair; a file
// that does not parse denies every pair (and the error is shown).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bulkhead/result.h"

namespace bulkhead::gui {

struct ClipRule {
	std::string source, target; // "*", "label:NAME" or a VM name
	bool allow = false;
	int line = 0;
};

struct ClipDecision {
	bool allow = false;
	int line = 0; // 0: no rule matched / no file
	std::string why;
};

class ClipPolicy {
public:
	// Every pair allowed (no policy file).
	static ClipPolicy allow_all();
	static Result<ClipPolicy> parse(std::string_view text);
	// allow_all() if the file does not exist.
	static Result<ClipPolicy> load(const std::string &path);

	ClipDecision decide(std::string_view src_vm, std::string_view src_label,
			    std::string_view dst_vm, std::string_view dst_label) const;

private:
	std::vector<ClipRule> rules_;
	bool no_file_ = false;
};

} // namespace bulkhead::gui
