// SPDX-License-Identifier: GPL-2.0-only
// Parser of untrusted metadata: every length and offset is checked against
// the bytes actually present before use; integer arithmetic stays far from
// overflow because data_blocks <= 2^26 and block_size <= 4096 are checked
// first.
#include "metadata.h"

#include <algorithm>
#include <cstring>
#include <endian.h>
#include <string>

using bulkhead::err;
using bulkhead::Result;

namespace blocksig {
namespace {

std::string num(uint64_t v) { return std::to_string(v); }

bool all_zero(std::span<const uint8_t> s)
{
	return std::all_of(s.begin(), s.end(), [](uint8_t b) { return b == 0; });
}

} // namespace

Result<Layout> Layout::compute(uint32_t block_size, uint32_t sig_size, uint64_t data_blocks)
{
	if (block_size < BLOCKSIG_MIN_BLOCK_SIZE || block_size > BLOCKSIG_MAX_BLOCK_SIZE ||
	    (block_size & (block_size - 1)) != 0)
		return err("block size " + num(block_size) + " is not a power of two in [" +
			   num(BLOCKSIG_MIN_BLOCK_SIZE) + ", " + num(BLOCKSIG_MAX_BLOCK_SIZE) + "]");
	if (sig_size < BLOCKSIG_MIN_SIG_SIZE || sig_size > BLOCKSIG_MAX_SIG_SIZE)
		return err("signature size " + num(sig_size) + " is not in [" +
			   num(BLOCKSIG_MIN_SIG_SIZE) + ", " + num(BLOCKSIG_MAX_SIG_SIZE) + "]");
	if (sig_size + BLOCKSIG_HEADER_SIG_OFFSET > block_size)
		return err("signature size " + num(sig_size) + " does not fit block 0 of " +
			   num(block_size) + " bytes after the header");
	if (data_blocks < 1 || data_blocks > BLOCKSIG_MAX_DATA_BLOCKS)
		return err("data block count " + num(data_blocks) + " is not in [1, " +
			   num(BLOCKSIG_MAX_DATA_BLOCKS) + "]");
	Layout l;
	l.block_size = block_size;
	l.sig_size = sig_size;
	l.data_blocks = data_blocks;
	l.map_blocks = (data_blocks * 8 + block_size - 1) / block_size;
	l.records_per_block = block_size / sig_size;
	l.record_blocks = (data_blocks + l.records_per_block - 1) / l.records_per_block;
	l.map_offset = block_size;
	l.records_offset = (1 + l.map_blocks) * block_size;
	l.meta_size = l.records_offset + l.record_blocks * block_size;
	return l;
}

Header Header::make(const Layout &layout, uint64_t image_version, const ImageId &id,
		    const Digest &map_digest, const Digest &key_id)
{
	Header h;
	h.block_size = layout.block_size;
	h.sig_size = layout.sig_size;
	h.data_blocks = layout.data_blocks;
	h.image_version = image_version;
	h.image_id = id;
	h.map_offset = layout.map_offset;
	h.records_offset = layout.records_offset;
	h.map_digest = map_digest;
	h.key_id = key_id;
	return h;
}

HeaderBytes Header::encode() const
{
	struct blocksig_header raw;
	memset(&raw, 0, sizeof(raw));
	memcpy(raw.magic, BLOCKSIG_HEADER_MAGIC, BLOCKSIG_MAGIC_LEN);
	raw.format_version = htole32(format_version);
	raw.header_size = htole32(header_size);
	raw.data_block_size = htole32(block_size);
	raw.sig_algo = htole32(sig_algo);
	raw.sig_size = htole32(sig_size);
	raw.data_blocks = htole64(data_blocks);
	raw.image_version = htole64(image_version);
	memcpy(raw.image_id, image_id.data(), image_id.size());
	raw.map_offset = htole64(map_offset);
	raw.records_offset = htole64(records_offset);
	memcpy(raw.map_digest, map_digest.data(), map_digest.size());
	memcpy(raw.key_id, key_id.data(), key_id.size());
	HeaderBytes out;
	memcpy(out.data(), &raw, sizeof(raw));
	return out;
}

Result<Header> parse_header(std::span<const uint8_t> bytes)
{
	if (bytes.size() < BLOCKSIG_HEADER_SIZE)
		return err("metadata truncated: " + num(bytes.size()) +
			   " bytes, the header alone needs " + num(BLOCKSIG_HEADER_SIZE));
	struct blocksig_header raw;
	memcpy(&raw, bytes.data(), sizeof(raw));
	if (memcmp(raw.magic, BLOCKSIG_HEADER_MAGIC, BLOCKSIG_MAGIC_LEN) != 0)
		return err("not blocksig metadata (bad magic)");
	Header h;
	h.format_version = le32toh(raw.format_version);
	if (h.format_version != BLOCKSIG_FORMAT_VERSION)
		return err("unsupported metadata format version " + num(h.format_version) +
			   " (this blocksig supports " + num(BLOCKSIG_FORMAT_VERSION) + ")");
	h.header_size = le32toh(raw.header_size);
	if (h.header_size != BLOCKSIG_HEADER_SIZE)
		return err("bad header size " + num(h.header_size) + " (expected " +
			   num(BLOCKSIG_HEADER_SIZE) + ")");
	h.sig_algo = le32toh(raw.sig_algo);
	if (h.sig_algo != BLOCKSIG_ALG_RSA_PKCS1_SHA256)
		return err("unknown signature algorithm " + num(h.sig_algo));
	if (raw.reserved0 != 0 || !all_zero({raw.reserved, sizeof(raw.reserved)}))
		return err("reserved header fields are not zero");
	h.block_size = le32toh(raw.data_block_size);
	h.sig_size = le32toh(raw.sig_size);
	h.data_blocks = le64toh(raw.data_blocks);
	auto layout = Layout::compute(h.block_size, h.sig_size, h.data_blocks);
	if (!layout)
		return layout.error().context("bad header");
	h.image_version = le64toh(raw.image_version);
	if (h.image_version < 1)
		return err("bad header: image version 0");
	memcpy(h.image_id.data(), raw.image_id, h.image_id.size());
	h.map_offset = le64toh(raw.map_offset);
	h.records_offset = le64toh(raw.records_offset);
	if (h.map_offset != layout->map_offset)
		return err("bad header: map offset " + num(h.map_offset) + ", expected " +
			   num(layout->map_offset));
	if (h.records_offset != layout->records_offset)
		return err("bad header: records offset " + num(h.records_offset) + ", expected " +
			   num(layout->records_offset));
	memcpy(h.map_digest.data(), raw.map_digest, h.map_digest.size());
	memcpy(h.key_id.data(), raw.key_id, h.key_id.size());
	return h;
}

StmtBytes block_stmt(const ImageId &id, uint64_t index, uint64_t version, uint32_t block_size,
		     const Digest &data_digest)
{
	struct blocksig_block_stmt raw;
	memset(&raw, 0, sizeof(raw));
	memcpy(raw.magic, BLOCKSIG_STMT_MAGIC, BLOCKSIG_MAGIC_LEN);
	memcpy(raw.image_id, id.data(), id.size());
	raw.block_index = htole64(index);
	raw.block_version = htole64(version);
	raw.data_block_size = htole32(block_size);
	memcpy(raw.data_digest, data_digest.data(), data_digest.size());
	StmtBytes out;
	memcpy(out.data(), &raw, sizeof(raw));
	return out;
}

Digest map_digest(std::span<const uint64_t> map)
{
	std::vector<uint8_t> raw(map.size() * 8);
	for (size_t i = 0; i < map.size(); i++) {
		uint64_t le = htole64(map[i]);
		memcpy(&raw[i * 8], &le, 8);
	}
	return sha256(raw);
}

std::vector<uint8_t> encode_map(std::span<const uint64_t> map, const Layout &layout)
{
	std::vector<uint8_t> raw(layout.map_blocks * layout.block_size, 0);
	for (size_t i = 0; i < map.size(); i++) {
		uint64_t le = htole64(map[i]);
		memcpy(&raw[i * 8], &le, 8);
	}
	return raw;
}

Result<Metadata> parse_metadata(std::span<const uint8_t> bytes)
{
	Metadata m;
	TRY_ASSIGN(m.header, parse_header(bytes));
	TRY_ASSIGN(m.layout,
		   Layout::compute(m.header.block_size, m.header.sig_size, m.header.data_blocks));
	if (bytes.size() < m.layout.meta_size)
		return err("metadata truncated: " + num(bytes.size()) + " bytes, " +
			   num(m.header.data_blocks) + " blocks need " + num(m.layout.meta_size));
	const uint32_t b = m.layout.block_size;
	m.bytes = bytes;
	m.header_bytes = bytes.subspan(0, BLOCKSIG_HEADER_SIZE);
	m.header_sig = bytes.subspan(BLOCKSIG_HEADER_SIG_OFFSET, m.layout.sig_size);
	size_t sig_end = BLOCKSIG_HEADER_SIG_OFFSET + m.layout.sig_size;
	if (!all_zero(bytes.subspan(sig_end, b - sig_end)))
		return err("bad metadata: non-zero bytes after the header signature in block 0");
	m.map_region = bytes.subspan(m.layout.map_offset, m.layout.map_blocks * b);
	return m;
}

Result<std::vector<uint64_t>> parse_map(const Metadata &meta)
{
	const uint64_t n = meta.layout.data_blocks;
	auto raw = meta.map_region.first(n * 8);
	if (sha256(raw) != meta.header.map_digest)
		return err("version map does not match the header's map digest (map altered)");
	if (!all_zero(meta.map_region.subspan(n * 8)))
		return err("bad metadata: non-zero padding after the version map");
	std::vector<uint64_t> map(n);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t le;
		memcpy(&le, &raw[i * 8], 8);
		map[i] = le64toh(le);
		if (map[i] < 1 || map[i] > meta.header.image_version)
			return err("bad version map: block " + num(i) + " has version " +
				   num(map[i]) + ", outside [1, " + num(meta.header.image_version) +
				   "]");
	}
	return map;
}

} // namespace blocksig
