// SPDX-License-Identifier: GPL-2.0-only OR MIT
// Clipboard data over the GUI protocol: splitting into chunks, reassembly
// with the announced total checked against the receiver's limit before any
// byte is accepted, and the content checks of the receiving agent (strict
// UTF-8 for text, PNG structure for images). Pure functions of bytes: no X,
// no I/O. The flow is in Documentation/clipboard.rst.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bulkhead/gui/protocol.h"
#include "bulkhead/result.h"

namespace bulkhead::gui {

// One transfer at a time: begin() with the announced size, then add() each
// chunk. Any error leaves the reassembly reset; the caller treats it as a
// protocol violation of the sender.
class ClipReassembly {
public:
	// Refuses a total of 0, over kMaxClipboardTotal or over `limit`, and
	// a begin while another transfer is active. Allocates nothing yet.
	Result<void> begin(uint32_t id, uint32_t format, uint64_t total, uint64_t limit);
	// A chunk of the active transfer: refuses another id, an empty chunk,
	// one over kMaxClipboardChunk or past the announced total. True once
	// the last byte arrived; take() then returns the data.
	Result<bool> add(uint32_t id, std::string_view bytes);
	bool active() const { return active_; }
	bool complete() const { return active_ && data_.size() == total_; }
	uint32_t id() const { return id_; }
	uint32_t format() const { return format_; }
	uint64_t total() const { return total_; }
	// The reassembled bytes (complete() only); resets.
	std::string take();
	void reset();

private:
	bool active_ = false;
	uint32_t id_ = 0, format_ = 0;
	uint64_t total_ = 0;
	std::string data_;
};

// data split into chunks of at most `chunk` bytes (empty data: none).
std::vector<std::string_view> split_chunks(std::string_view data,
					   size_t chunk = kMaxClipboardChunk);

// Minimal, decoder-free PNG check: the signature; every chunk's length
// within the data, its type four ASCII letters and its CRC-32 right; IHDR
// first (13 bytes, sizes 1..2^31-1, a valid bit depth / colour type pair,
// compression, filter and interlace methods known); PLTE only before IDAT;
// one run of consecutive IDAT chunks; no unknown critical chunk; IEND last
// with nothing after it. The pixels are never decompressed.
Result<void> check_png(std::string_view data);

// The receiving agent's check for a format: check_png or strict UTF-8.
Result<void> check_clip_content(uint32_t format, std::string_view data);

uint32_t crc32_png(std::string_view data);

} // namespace bulkhead::gui
