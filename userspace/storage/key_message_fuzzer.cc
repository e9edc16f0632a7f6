// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer: the key message an AppVM reads from the vchan.
#include <cstddef>
#include <cstdint>

#include "key_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	auto m = storage::parse_key_message({data, size});
	if (m && m->type == storage::KeyMessageType::key) {
		// Round trip: what parses re-encodes to the same bytes.
		auto enc = storage::encode_key_message(m->key);
		if (enc.size() != size)
			__builtin_trap();
	}
	return 0;
}
