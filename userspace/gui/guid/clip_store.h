// SPDX-License-Identifier: GPL-2.0-only
// The dom0 clipboard: one entry (the last copy) in a volatile directory,
// /run/bulkhead/clipboard by default, shared by every bulkhead-guid of the
// desktop (one process per AppVM). Two files, both mode 0600:
//   data  the bytes, exactly as the source agent sent them
//   meta  "key=value" lines: source, label, time (Unix seconds), size, type
// Writers and readers serialise on flock() of the directory's "lock" file;
// files are written beside and renamed into place, meta last, so a reader
// never sees a half-written entry. The directory must be ours and 0700.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "bulkhead/result.h"

namespace bulkhead::gui {

struct ClipEntry {
	std::string source_vm, source_label;
	int64_t time = 0;     // Unix seconds of the copy
	uint32_t format = 0;  // kClipText or kClipPng
	std::string data;
};

// Parses meta (strict: every key once, known type, size a number <= max).
Result<ClipEntry> parse_clip_meta(std::string_view meta, uint64_t max_size);
std::string format_clip_meta(const ClipEntry &e);

class ClipStore {
public:
	// Creates the directory (0700) if missing; refuses one that is a
	// symlink, not a directory, not ours, or open to group or others.
	static Result<ClipStore> open(std::string dir);

	Result<void> put(const ClipEntry &e);
	// The current entry, or nullopt. `accept` decides under the lock
	// (policy); if it returns true and consume is set, the entry is
	// removed in the same locked step (one-shot paste).
	Result<std::optional<ClipEntry>> take(const std::function<bool(const ClipEntry &)> &accept,
					      bool consume);
	Result<void> clear();
	const std::string &dir() const { return dir_; }

private:
	explicit ClipStore(std::string dir) : dir_(std::move(dir)) {}
	std::string dir_;
};

} // namespace bulkhead::gui
