// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer: the guest stream as dom0 sees it (a hostile AppVM's bytes).
// Input: a sequence of messages, each prefixed by a little-endian u16 size.
// Each is decoded (both directions) and fed to one GuestSession; whatever
// decodes must re-encode to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "bulkhead/gui/protocol.h"
#include "bulkhead/gui/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	using namespace bulkhead::gui;
	GuestSession session(16);
	bool alive = true;
	std::span<const uint8_t> in(data, size);
	while (in.size() >= 2) {
		size_t n = in[0] | size_t(in[1]) << 8;
		in = in.subspan(2);
		if (n > in.size())
			n = in.size();
		auto msg = in.first(n);
		in = in.subspan(n);

		(void)parse_header(msg);
		if (auto d = decode_dom0(msg); d.ok()) {
			auto again = encode(d->window, d->seq, d->body);
			if (!std::equal(again.begin(), again.end(), msg.begin(), msg.end()))
				abort();
		}
		auto g = decode_guest(msg);
		if (!g.ok())
			continue;
		auto again = encode(g->window, g->seq, g->body);
		if (!std::equal(again.begin(), again.end(), msg.begin(), msg.end()))
			abort();
		if (const auto *t = std::get_if<Title>(&g->body))
			(void)sanitize_text(t->utf8);
		if (alive && !session.accept(*g).ok())
			alive = false;
	}
	return 0;
}
