// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/gui/session.h"

#include <string>

namespace bulkhead::gui {

namespace {
std::string wid(uint32_t id) { return "window " + std::to_string(id); }
} // namespace

Result<void> SeqCounter::check(uint32_t seq)
{
	uint32_t want = last_ + 1;
	if (seq != want)
		return err("sequence " + std::to_string(seq) + ", expected " + std::to_string(want));
	last_ = seq;
	return ok();
}

const GuestSession::WindowState *GuestSession::window(uint32_t id) const
{
	auto it = windows_.find(id);
	return it == windows_.end() ? nullptr : &it->second;
}

Result<void> GuestSession::accept(const GuestMessage &m)
{
	TRY(seq_.check(m.seq));
	bool is_hello = std::holds_alternative<Hello>(m.body);
	if (!greeted_ && !is_hello)
		return err("message before hello");
	if (greeted_ && is_hello)
		return err("second hello");
	return accept_body(m.window, m.body);
}

Result<void> GuestSession::accept_body(uint32_t window, const GuestBody &b)
{
	if (const auto *h = std::get_if<Hello>(&b)) {
		if (h->major != kVersionMajor)
			return err("hello: protocol version " + std::to_string(h->major) +
				   " not supported (want " + std::to_string(kVersionMajor) + ")");
		greeted_ = true;
		return ok();
	}
	// Clipboard messages carry no window; their pairing with dom0's
	// requests is the clipboard module's (guid/clipboard.h).
	if (std::holds_alternative<ClipboardReply>(b) || std::holds_alternative<ClipboardChunk>(b) ||
	    std::holds_alternative<PasteResult>(b))
		return ok();
	if (const auto *c = std::get_if<Create>(&b)) {
		if (windows_.count(window))
			return err("create: " + wid(window) + " already exists");
		if (windows_.size() >= max_windows_)
			return err("create: window limit (" + std::to_string(max_windows_) +
				   ") reached");
		if (c->parent && !windows_.count(c->parent))
			return err("create: parent " + wid(c->parent) + " does not exist");
		WindowState ws;
		ws.w = c->w;
		ws.h = c->h;
		windows_.emplace(window, ws);
		return ok();
	}
	auto it = windows_.find(window);
	if (it == windows_.end())
		return err(std::string(msg_type_name(type_of(b))) +
			   ": " + wid(window) + " does not exist");
	WindowState &ws = it->second;

	if (const auto *m = std::get_if<Map>(&b)) {
		if (m->transient_for && !windows_.count(m->transient_for))
			return err("map: transient-for " + wid(m->transient_for) +
				   " does not exist");
	} else if (const auto *r = std::get_if<Restack>(&b)) {
		if (r->above && !windows_.count(r->above))
			return err("restack: above " + wid(r->above) + " does not exist");
	} else if (const auto *c = std::get_if<Configure>(&b)) {
		ws.w = c->w;
		ws.h = c->h;
	} else if (std::holds_alternative<Destroy>(b)) {
		windows_.erase(it);
	} else if (const auto *buf = std::get_if<Buffer>(&b)) {
		if (buf->buffer_id <= ws.last_buffer)
			return err("buffer: id " + std::to_string(buf->buffer_id) +
				   " not above the last one (" + std::to_string(ws.last_buffer) + ")");
		ws.last_buffer = buf->buffer_id;
		if (ws.nbuffers == kMaxBuffersPerWindow) {
			for (uint32_t i = 1; i < ws.nbuffers; i++)
				ws.buffers[i - 1] = ws.buffers[i];
			ws.nbuffers--;
		}
		ws.buffers[ws.nbuffers++] = {buf->buffer_id, buf->width, buf->height};
	} else if (const auto *d = std::get_if<Damage>(&b)) {
		const BufferState *bs = nullptr;
		for (uint32_t i = 0; i < ws.nbuffers; i++)
			if (ws.buffers[i].id == d->buffer_id)
				bs = &ws.buffers[i];
		if (!bs)
			return err("damage: buffer " + std::to_string(d->buffer_id) + " of " +
				   wid(window) + " is not live");
		if (d->frame <= ws.last_frame)
			return err("damage: frame " + std::to_string(d->frame) +
				   " not above the last one (" + std::to_string(ws.last_frame) + ")");
		for (const Rect &r : d->rects)
			if (r.x + r.w > bs->width || r.y + r.h > bs->height)
				return err("damage: rect outside buffer " +
					   std::to_string(d->buffer_id));
		ws.last_frame = d->frame;
		// Damage on a buffer retires the older ones: dom0 detaches them.
		uint32_t keep = 0;
		for (uint32_t i = 0; i < ws.nbuffers; i++)
			if (ws.buffers[i].id >= d->buffer_id)
				ws.buffers[keep++] = ws.buffers[i];
		ws.nbuffers = keep;
	}
	// Unmap, Title, Class, SizeHints, Cursor: nothing more to check here.
	return ok();
}

Result<void> Dom0Session::accept(const Dom0Message &m)
{
	TRY(seq_.check(m.seq));
	bool is_welcome = std::holds_alternative<Welcome>(m.body);
	if (!welcomed_ && !is_welcome)
		return err("message before welcome");
	if (welcomed_ && is_welcome)
		return err("second welcome");
	if (const auto *w = std::get_if<Welcome>(&m.body)) {
		if (w->major != kVersionMajor)
			return err("welcome: protocol version " + std::to_string(w->major) +
				   " not supported");
		welcomed_ = true;
	}
	return ok();
}

} // namespace bulkhead::gui
