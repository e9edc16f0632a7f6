// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target: arbitrary bytes as blocksig metadata (header, map,
// records). The parser must reject or accept without crashing, and what it
// accepts must be self-consistent.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <vector>

#include "metadata.h"

static void check_map(const blocksig::Metadata &m)
{
	auto map = blocksig::parse_map(m);
	if (!map)
		return;
	if (map->size() != m.header.data_blocks)
		abort();
	for (uint64_t v : *map)
		if (v < 1 || v > m.header.image_version)
			abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::span<const uint8_t> bytes(data, size);
	auto meta = blocksig::parse_metadata(bytes);
	if (!meta)
		return 0;
	const auto &m = *meta;
	if (m.layout.meta_size > size || m.header_sig.size() != m.header.sig_size)
		abort();
	// Touch every record: each must lie inside the input.
	uint64_t sum = 0;
	for (uint64_t i = 0; i < m.layout.data_blocks; i++)
		sum += m.record(i)[0];
	check_map(m);
	// Random bytes never match the map digest: also parse a copy whose
	// digest is fixed up, so the entry checks get exercised.
	std::vector<uint8_t> copy(bytes.begin(), bytes.end());
	auto d = blocksig::sha256(m.map_region.first(m.layout.data_blocks * 8));
	std::copy(d.begin(), d.end(), copy.begin() + offsetof(struct blocksig_header, map_digest));
	auto fixed = blocksig::parse_metadata(copy);
	if (!fixed)
		abort();
	check_map(*fixed);
	// Re-encoding an accepted header reproduces its bytes.
	auto enc = m.header.encode();
	if (!std::equal(enc.begin(), enc.end(), m.header_bytes.begin()))
		abort();
	return static_cast<int>(sum & 0);
}
