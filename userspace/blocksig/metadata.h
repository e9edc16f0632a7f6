// SPDX-License-Identifier: GPL-2.0-only
// blocksig metadata: layout arithmetic, header and version map encoding, and
// the parser of untrusted metadata (fuzzed by metadata_fuzzer.cc). Nothing
// here needs a key: signatures are checked by the caller (ops.cc).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "bulkhead/result.h"
#include "crypto.h"
#include "uapi/blocksig_format.h"

namespace blocksig {

using ImageId = std::array<uint8_t, BLOCKSIG_IMAGE_ID_SIZE>;
using HeaderBytes = std::array<uint8_t, BLOCKSIG_HEADER_SIZE>;
using StmtBytes = std::array<uint8_t, sizeof(struct blocksig_block_stmt)>;

// Where everything lives in the metadata, derived from three numbers.
struct Layout {
	uint32_t block_size = 0;
	uint32_t sig_size = 0;
	uint64_t data_blocks = 0;
	uint64_t map_blocks = 0;	// M = ceil(data_blocks * 8 / B)
	uint64_t records_per_block = 0; // floor(B / sig_size)
	uint64_t record_blocks = 0;
	uint64_t map_offset = 0;	// B
	uint64_t records_offset = 0;	// (1 + M) * B
	uint64_t meta_size = 0;		// end of the last record block

	// Checks the format's bounds (block size, signature size, block count).
	static bulkhead::Result<Layout> compute(uint32_t block_size, uint32_t sig_size,
						uint64_t data_blocks);

	// Metadata block (0-based, counted from records_offset) holding record i.
	uint64_t record_block(uint64_t i) const { return i / records_per_block; }
	// Byte offset of data block i's signature record in the metadata.
	uint64_t record_offset(uint64_t i) const
	{
		return records_offset + record_block(i) * block_size +
		       (i % records_per_block) * sig_size;
	}
	uint64_t data_size() const { return data_blocks * block_size; }
};

// Host-endian view of struct blocksig_header.
struct Header {
	uint32_t format_version = BLOCKSIG_FORMAT_VERSION;
	uint32_t header_size = BLOCKSIG_HEADER_SIZE;
	uint32_t block_size = 0;
	uint32_t sig_algo = BLOCKSIG_ALG_RSA_PKCS1_SHA256;
	uint32_t sig_size = 0;
	uint64_t data_blocks = 0;
	uint64_t image_version = 0;
	ImageId image_id{};
	uint64_t map_offset = 0;
	uint64_t records_offset = 0;
	Digest map_digest{};
	Digest key_id{};

	static Header make(const Layout &layout, uint64_t image_version, const ImageId &id,
			   const Digest &map_digest, const Digest &key_id);
	HeaderBytes encode() const;
};

// Parses and checks every structural invariant of the 256-byte header.
bulkhead::Result<Header> parse_header(std::span<const uint8_t> bytes);

// What data block `index`'s signature covers (through SHA-256).
StmtBytes block_stmt(const ImageId &id, uint64_t index, uint64_t version, uint32_t block_size,
		     const Digest &data_digest);

// SHA-256 over exactly data_blocks * 8 bytes of little-endian map entries.
Digest map_digest(std::span<const uint64_t> map);
// The map region (M blocks, zero padded) for writing.
std::vector<uint8_t> encode_map(std::span<const uint64_t> map, const Layout &layout);

// A checked view of metadata held by the caller (usually a mapping).
struct Metadata {
	Header header;
	Layout layout;
	std::span<const uint8_t> header_bytes; // the 256 signed bytes
	std::span<const uint8_t> header_sig;   // sig_size bytes
	std::span<const uint8_t> map_region;   // M blocks, not yet checked
	std::span<const uint8_t> bytes;	       // everything, >= meta_size

	std::span<const uint8_t> record(uint64_t i) const
	{
		return bytes.subspan(layout.record_offset(i), layout.sig_size);
	}
};

// Header and sizes of untrusted metadata; the map is checked by parse_map
// once the header signature has been verified.
bulkhead::Result<Metadata> parse_metadata(std::span<const uint8_t> bytes);

// Decodes and checks the version map: its digest against the header, every
// entry in [1, image_version], the padding after it zero.
bulkhead::Result<std::vector<uint64_t>> parse_map(const Metadata &meta);

} // namespace blocksig
