// SPDX-License-Identifier: GPL-2.0-only
// The image operations behind `blocksig format|verify|update` and the
// userspace checks `blocksig open` makes before it touches the kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bulkhead/result.h"
#include "metadata.h"

namespace blocksig {

struct FormatOptions {
	std::string image, meta, key;
	uint64_t image_version = 1;
	uint32_t block_size = 4096;
	std::optional<ImageId> image_id; // random (getrandom) if unset
	unsigned threads = 0;		 // 0: hardware concurrency
};

struct FormatResult {
	Header header;
};

// Signs every block of IMAGE and writes META atomically (META.tmp, rename).
bulkhead::Result<FormatResult> format(const FormatOptions &opts);

struct VerifyOptions {
	std::string image, meta, cert;
	uint64_t min_version = 1;
	std::optional<ImageId> image_id;
	unsigned threads = 0;
};

struct BadBlock {
	uint64_t index;
	std::string reason;
};

struct VerifyResult {
	Header header;
	std::vector<BadBlock> bad; // sorted by index
};

// An error if the metadata itself is refused; otherwise every bad block.
bulkhead::Result<VerifyResult> verify(const VerifyOptions &opts);

// Inclusive ranges, as parsed from "5,17-20".
using BlockRanges = std::vector<std::pair<uint64_t, uint64_t>>;
bulkhead::Result<BlockRanges> parse_block_list(std::string_view list);

struct UpdateOptions {
	std::string image, meta, key;
	std::optional<BlockRanges> blocks; // unset: find changed blocks
	std::optional<uint64_t> image_version; // unset: old + 1
	unsigned threads = 0;
};

struct UpdateResult {
	uint64_t old_version = 0;
	uint64_t new_version = 0;
	std::vector<uint64_t> resigned; // sorted
	bool finished_interrupted = false; // an interrupted update was finished first
};

// An update's journal (ops.cc): the blocks it writes into META, by offset.
struct JournalEntry {
	uint64_t offset;
	std::vector<uint8_t> data;
};
std::string journal_path(const std::string &meta); // META.journal
std::vector<uint8_t> encode_journal(const std::vector<JournalEntry> &entries);

// Re-signs changed blocks in place; writes records and map, then the header.
// A metadata file's update goes through a journal (META.journal) first, so
// that an interrupted update is finished by the next one (see ops.cc).
bulkhead::Result<UpdateResult> update(const UpdateOptions &opts);

struct OpenCheck {
	Header header;
	std::vector<uint8_t> cert_der;
};

// What `open` checks in userspace before loading the table: certificate,
// header signature, map, image id, minimum version, image size.
bulkhead::Result<OpenCheck> check_for_open(const std::string &image, const std::string &meta,
					   const std::string &cert, uint64_t min_version,
					   const std::optional<ImageId> &image_id);

} // namespace blocksig
