// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer: the guest stream as dom0 sees it (a hostile AppVM's bytes).
// Input: a sequence of messages, each prefixed by a little-endian u16 size.
// Each is decoded (both directions) and fed to one GuestSession; whatever
// decodes must re-encode to the same bytes. Clipboard replies and chunks go
// through a ClipReassembly (guid's limit) and the receiving agent's content
// checks, as a paste of them would.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "bulkhead/gui/clipboard.h"
#include "bulkhead/gui/protocol.h"
#include "bulkhead/gui/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	using namespace bulkhead::gui;
	GuestSession session(16);
	ClipReassembly clip;
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
		if (const auto *r = std::get_if<ClipboardReply>(&g->body);
		    r && r->status == ClipStatus::kData)
			(void)clip.begin(r->id, r->format, r->size, kDefaultClipboardLimit);
		if (const auto *c = std::get_if<ClipboardChunk>(&g->body)) {
			auto done = clip.add(c->id, c->bytes);
			if (done.ok() && done.value()) {
				uint32_t format = clip.format();
				std::string data = clip.take();
				(void)check_clip_content(format, data);
			}
			(void)check_png(c->bytes);
		}
		if (alive && !session.accept(*g).ok())
			alive = false;
	}
	return 0;
}
