// SPDX-License-Identifier: GPL-2.0-only
#include "clipboard.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <xcb/xtest.h>

#include "bulkhead/gui/xcb_atom.h"
#include "shortcut.h"

namespace bulkhead::gui {
namespace {

constexpr xcb_atom_t kAtomString = 31; // XA_STRING
constexpr size_t kMaxTargets = 1024;

std::string latin1_to_utf8(std::string_view s)
{
	std::string out;
	out.reserve(s.size());
	for (char ch : s) {
		auto c = static_cast<uint8_t>(ch);
		if (c < 0x80) {
			out.push_back(char(c));
		} else {
			out.push_back(char(0xc0 | c >> 6));
			out.push_back(char(0x80 | (c & 0x3f)));
		}
	}
	return out;
}

} // namespace

AgentClipboard::AgentClipboard(AgentClipboardConfig cfg, xcb_connection_t *conn,
			       xcb_screen_t *screen, Sender send)
    : cfg_(std::move(cfg)), conn_(conn), screen_(screen), send_(std::move(send))
{
}

AgentClipboard::~AgentClipboard()
{
	if (win_)
		xcb_destroy_window(conn_, win_);
}

xcb_atom_t AgentClipboard::atom(const char *name)
{
	return intern_atom(conn_, name);
}

Result<std::unique_ptr<AgentClipboard>> AgentClipboard::create(AgentClipboardConfig cfg,
							       xcb_connection_t *conn,
							       xcb_screen_t *screen, Sender send)
{
	if (!cfg.paste_keys.empty())
		TRY(parse_shortcut(cfg.paste_keys));
	std::unique_ptr<AgentClipboard> c(
		new AgentClipboard(std::move(cfg), conn, screen, std::move(send)));
	c->clipboard_ = c->atom("CLIPBOARD");
	c->targets_ = c->atom("TARGETS");
	c->utf8_ = c->atom("UTF8_STRING");
	c->png_ = c->atom("image/png");
	c->incr_ = c->atom("INCR");
	c->prop_ = c->atom("_BULKHEAD_CLIPBOARD");
	c->timestamp_ = c->atom("TIMESTAMP");
	c->text_ = c->atom("TEXT");
	c->mime_text_ = c->atom("text/plain;charset=utf-8");
	c->multiple_ = c->atom("MULTIPLE");
	// An InputOnly window: the agent never mirrors those to dom0.
	c->win_ = xcb_generate_id(conn);
	uint32_t mask[] = {XCB_EVENT_MASK_PROPERTY_CHANGE};
	xcb_create_window(conn, 0, c->win_, screen->root, -1, -1, 1, 1, 0,
			  XCB_WINDOW_CLASS_INPUT_ONLY, XCB_COPY_FROM_PARENT, XCB_CW_EVENT_MASK, mask);
	xcb_flush(conn);
	return c;
}

int AgentClipboard::timeout_ms() const
{
	if (copy_ == Copy::kIdle)
		return -1;
	auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
		deadline_ - std::chrono::steady_clock::now());
	return int(std::max<int64_t>(0, left.count() + 1));
}

Result<void> AgentClipboard::tick()
{
	if (copy_ != Copy::kIdle && std::chrono::steady_clock::now() >= deadline_)
		return finish_copy(ClipStatus::kUnavailable);
	return ok();
}

Result<void> AgentClipboard::finish_copy(ClipStatus st, uint32_t format, uint32_t size)
{
	uint32_t id = copy_id_;
	copy_ = Copy::kIdle;
	copy_id_ = 0;
	copy_data_ = std::string();
	if (st == ClipStatus::kEmpty || st == ClipStatus::kUnavailable)
		format = size = 0;
	return send_(ClipboardReply{id, st, format, size});
}

Result<void> AgentClipboard::send_data(uint32_t format, std::string data)
{
	if (data.empty())
		return finish_copy(ClipStatus::kEmpty);
	if (data.size() > copy_max_)
		return finish_copy(ClipStatus::kTooLarge, format, uint32_t(std::min<size_t>(data.size(), UINT32_MAX)));
	uint32_t id = copy_id_;
	copy_ = Copy::kIdle;
	copy_id_ = 0;
	copy_data_ = std::string();
	TRY(send_(ClipboardReply{id, ClipStatus::kData, format, uint32_t(data.size())}));
	for (std::string_view c : split_chunks(data))
		TRY(send_(ClipboardChunk{id, std::string(c)}));
	return ok();
}

Result<void> AgentClipboard::start_copy(const ClipboardRequest &r)
{
	if (copy_ != Copy::kIdle)
		return send_(ClipboardReply{r.id, ClipStatus::kUnavailable, 0, 0});
	copy_id_ = r.id;
	copy_max_ = r.max_bytes;
	auto *o = xcb_get_selection_owner_reply(conn_, xcb_get_selection_owner(conn_, clipboard_),
						nullptr);
	xcb_window_t owner = o ? o->owner : XCB_NONE;
	free(o);
	if (owner == XCB_NONE)
		return finish_copy(ClipStatus::kEmpty);
	if (owner == win_ && owning_)
		return send_data(own_format_, own_data_);
	copy_ = Copy::kTargets;
	deadline_ = std::chrono::steady_clock::now() + cfg_.timeout;
	xcb_convert_selection(conn_, win_, clipboard_, targets_, prop_, XCB_CURRENT_TIME);
	return ok();
}

Result<void> AgentClipboard::on_selection_notify(const xcb_selection_notify_event_t &e)
{
	if (e.selection != clipboard_)
		return ok();
	if (copy_ == Copy::kTargets) {
		xcb_atom_t pick = XCB_NONE;
		if (e.property == XCB_NONE) {
			pick = utf8_; // an owner without TARGETS: try text
		} else {
			auto *r = xcb_get_property_reply(
				conn_, xcb_get_property(conn_, 1, win_, prop_, XCB_ATOM_ATOM, 0, kMaxTargets),
				nullptr);
			bool has_utf8 = false, has_png = false, has_string = false;
			if (r && r->format == 32) {
				auto *a = static_cast<const xcb_atom_t *>(xcb_get_property_value(r));
				int n = xcb_get_property_value_length(r) / 4;
				for (int i = 0; i < n; i++) {
					has_utf8 |= a[i] == utf8_;
					has_png |= a[i] == png_;
					has_string |= a[i] == kAtomString;
				}
			}
			free(r);
			pick = has_utf8 ? utf8_ : has_png ? png_ : has_string ? kAtomString : XCB_NONE;
		}
		if (pick == XCB_NONE)
			return finish_copy(ClipStatus::kUnavailable);
		copy_target_ = pick;
		copy_format_ = pick == png_ ? kClipPng : kClipText;
		copy_ = Copy::kData;
		xcb_convert_selection(conn_, win_, clipboard_, pick, prop_, XCB_CURRENT_TIME);
		return ok();
	}
	if (copy_ != Copy::kData)
		return ok();
	if (e.property == XCB_NONE)
		return finish_copy(ClipStatus::kUnavailable);
	// Its type and size first, without reading it.
	auto *h = xcb_get_property_reply(
		conn_, xcb_get_property(conn_, 0, win_, prop_, XCB_GET_PROPERTY_TYPE_ANY, 0, 0), nullptr);
	if (!h)
		return finish_copy(ClipStatus::kUnavailable);
	xcb_atom_t type = h->type;
	uint32_t size = h->bytes_after;
	uint8_t format = h->format;
	free(h);
	if (type == incr_) {
		auto *r = xcb_get_property_reply(
			conn_, xcb_get_property(conn_, 1, win_, prop_, incr_, 0, 1), nullptr);
		uint32_t lower = 0;
		if (r && xcb_get_property_value_length(r) >= 4)
			memcpy(&lower, xcb_get_property_value(r), 4);
		free(r);
		if (lower > copy_max_)
			return finish_copy(ClipStatus::kTooLarge, copy_format_, lower);
		// Deleting the property (done above) starts the transfer.
		copy_ = Copy::kIncr;
		copy_data_.clear();
		deadline_ = std::chrono::steady_clock::now() + cfg_.timeout;
		return ok();
	}
	if (format != 8 && size) {
		xcb_delete_property(conn_, win_, prop_);
		return finish_copy(ClipStatus::kUnavailable);
	}
	if (size > copy_max_) {
		xcb_delete_property(conn_, win_, prop_);
		return finish_copy(ClipStatus::kTooLarge, copy_format_, size);
	}
	auto *r = xcb_get_property_reply(
		conn_, xcb_get_property(conn_, 1, win_, prop_, type, 0, (size + 3) / 4), nullptr);
	std::string data;
	if (r)
		data.assign(static_cast<const char *>(xcb_get_property_value(r)),
			    size_t(xcb_get_property_value_length(r)));
	free(r);
	if (copy_target_ == kAtomString)
		data = latin1_to_utf8(data);
	return send_data(copy_format_, std::move(data));
}

Result<void> AgentClipboard::on_property(const xcb_property_notify_event_t &e)
{
	if (copy_ != Copy::kIncr || e.atom != prop_ || e.state != XCB_PROPERTY_NEW_VALUE)
		return ok();
	uint32_t room = copy_max_ - uint32_t(copy_data_.size());
	auto *r = xcb_get_property_reply(
		conn_,
		xcb_get_property(conn_, 1, win_, prop_, XCB_GET_PROPERTY_TYPE_ANY, 0, room / 4 + 1),
		nullptr);
	if (!r)
		return finish_copy(ClipStatus::kUnavailable);
	size_t n = size_t(xcb_get_property_value_length(r));
	bool more = r->bytes_after != 0;
	uint8_t format = r->format;
	std::string chunk(static_cast<const char *>(xcb_get_property_value(r)), n);
	free(r);
	if (n == 0 && !more) {
		std::string data = std::move(copy_data_);
		if (copy_target_ == kAtomString)
			data = latin1_to_utf8(data);
		return send_data(copy_format_, std::move(data));
	}
	if (format != 8)
		return finish_copy(ClipStatus::kUnavailable);
	if (more || n > room) {
		// Over dom0's limit: abandon (the owner's next write finds
		// nobody deleting; it gives up on its own timeout).
		xcb_delete_property(conn_, win_, prop_);
		return finish_copy(ClipStatus::kTooLarge, copy_format_, copy_max_ + 1);
	}
	copy_data_ += chunk;
	deadline_ = std::chrono::steady_clock::now() + cfg_.timeout;
	return ok();
}

bool AgentClipboard::send_keys(xcb_window_t target)
{
	if (target) {
		auto ck = xcb_set_input_focus_checked(conn_, XCB_INPUT_FOCUS_POINTER_ROOT, target,
						      XCB_CURRENT_TIME);
		free(xcb_request_check(conn_, ck)); // a vanished window: keys go to the focus
	}
	if (cfg_.paste_keys.empty())
		return true;
	// A request of an absent extension would break the connection.
	const xcb_query_extension_reply_t *xt = xcb_get_extension_data(conn_, &xcb_test_id);
	if (!xt || !xt->present) {
		fprintf(stderr, "agent: no XTEST in this X server: paste keys not sent\n");
		return false;
	}
	auto sc = parse_shortcut(cfg_.paste_keys);
	if (!sc.ok())
		return false;
	const xcb_setup_t *setup = xcb_get_setup(conn_);
	auto *m = xcb_get_keyboard_mapping_reply(
		conn_,
		xcb_get_keyboard_mapping(conn_, setup->min_keycode,
					 uint8_t(setup->max_keycode - setup->min_keycode + 1)),
		nullptr);
	if (!m)
		return false;
	const xcb_keysym_t *k = xcb_get_keyboard_mapping_keysyms(m);
	Keymap map(setup->min_keycode, m->keysyms_per_keycode,
		   std::vector<uint32_t>(k, k + xcb_get_keyboard_mapping_keysyms_length(m)));
	free(m);
	std::vector<uint8_t> mods;
	for (auto [bit, sym] : {std::pair<uint16_t, uint32_t>{kModControl, 0xffe3},
				{kModShift, 0xffe1},
				{kModAlt, 0xffe9},
				{kModSuper, 0xffeb}})
		if (sc->mods & bit) {
			uint8_t kc = map.keycode(sym);
			if (!kc)
				return false;
			mods.push_back(kc);
		}
	uint8_t key = map.keycode(sc->keysym);
	if (!key)
		return false;
	for (uint8_t kc : mods)
		xcb_test_fake_input(conn_, XCB_KEY_PRESS, kc, XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
	xcb_test_fake_input(conn_, XCB_KEY_PRESS, key, XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
	xcb_test_fake_input(conn_, XCB_KEY_RELEASE, key, XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
	for (auto it = mods.rbegin(); it != mods.rend(); ++it)
		xcb_test_fake_input(conn_, XCB_KEY_RELEASE, *it, XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
	xcb_flush(conn_);
	return true;
}

Result<void> AgentClipboard::paste_ready()
{
	uint32_t id = incoming_.id(), format = incoming_.format();
	std::string data = incoming_.take();
	if (auto c = check_clip_content(format, data); !c.ok()) {
		fprintf(stderr, "agent: paste %u refused: %s\n", id, c.error().message.c_str());
		return send_(PasteResult{id, format == kClipPng ? PasteStatus::kBadImage
								: PasteStatus::kBadText});
	}
	own_format_ = format;
	own_data_ = std::move(data);
	xcb_set_selection_owner(conn_, win_, clipboard_, XCB_CURRENT_TIME);
	auto *o = xcb_get_selection_owner_reply(conn_, xcb_get_selection_owner(conn_, clipboard_),
						nullptr);
	owning_ = o && o->owner == win_;
	free(o);
	if (!owning_) {
		own_data_ = std::string();
		return send_(PasteResult{id, PasteStatus::kFailed});
	}
	bool keys = send_keys(paste_target_);
	return send_(PasteResult{id, keys ? PasteStatus::kPasted : PasteStatus::kFailed});
}

void AgentClipboard::serve(const xcb_selection_request_event_t &e)
{
	xcb_atom_t prop = e.property != XCB_NONE ? e.property : e.target;
	bool done = false;
	if (owning_ && e.selection == clipboard_ && e.target != multiple_) {
		bool text = own_format_ == kClipText;
		if (e.target == targets_) {
			std::vector<xcb_atom_t> t = {targets_, timestamp_};
			if (text)
				t.insert(t.end(), {utf8_, mime_text_, text_});
			else
				t.push_back(png_);
			xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, e.requestor, prop,
					    XCB_ATOM_ATOM, 32, uint32_t(t.size()), t.data());
			done = true;
		} else if (e.target == timestamp_) {
			uint32_t t = own_time_;
			xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, e.requestor, prop,
					    XCB_ATOM_INTEGER, 32, 1, &t);
			done = true;
		} else if ((text && (e.target == utf8_ || e.target == mime_text_ ||
				     e.target == text_)) ||
			   (!text && e.target == png_)) {
			// No INCR: data beyond one request is refused to the requestor.
			uint64_t max = uint64_t(xcb_get_maximum_request_length(conn_)) * 4;
			if (own_data_.size() + 64 <= max) {
				xcb_atom_t type = e.target == text_ ? utf8_ : e.target;
				xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, e.requestor, prop,
						    type, 8, uint32_t(own_data_.size()),
						    own_data_.data());
				done = true;
			}
		}
	}
	xcb_selection_notify_event_t n{};
	n.response_type = XCB_SELECTION_NOTIFY;
	n.time = e.time;
	n.requestor = e.requestor;
	n.selection = e.selection;
	n.target = e.target;
	n.property = done ? prop : XCB_NONE;
	xcb_send_event(conn_, 0, e.requestor, XCB_EVENT_MASK_NO_EVENT,
		       reinterpret_cast<const char *>(&n));
	xcb_flush(conn_);
}

Result<bool> AgentClipboard::on_x_event(const xcb_generic_event_t *ev)
{
	switch (ev->response_type & 0x7f) {
	case XCB_SELECTION_NOTIFY: {
		auto *e = reinterpret_cast<const xcb_selection_notify_event_t *>(ev);
		if (e->requestor != win_)
			return false;
		TRY(on_selection_notify(*e));
		return true;
	}
	case XCB_PROPERTY_NOTIFY: {
		auto *e = reinterpret_cast<const xcb_property_notify_event_t *>(ev);
		if (e->window != win_)
			return false;
		TRY(on_property(*e));
		return true;
	}
	case XCB_SELECTION_REQUEST: {
		auto *e = reinterpret_cast<const xcb_selection_request_event_t *>(ev);
		if (e->owner != win_)
			return false;
		serve(*e);
		return true;
	}
	case XCB_SELECTION_CLEAR: {
		auto *e = reinterpret_cast<const xcb_selection_clear_event_t *>(ev);
		if (e->owner != win_)
			return false;
		if (e->selection == clipboard_) {
			owning_ = false;
			own_data_ = std::string();
		}
		return true;
	}
	}
	return false;
}

Result<void> AgentClipboard::on_message(const Dom0Body &b)
{
	if (const auto *r = std::get_if<ClipboardRequest>(&b))
		return start_copy(*r);
	if (const auto *p = std::get_if<ClipboardPaste>(&b)) {
		TRY(incoming_.begin(p->id, p->format, p->size, kMaxClipboardTotal));
		paste_target_ = p->target;
		return ok();
	}
	if (const auto *c = std::get_if<PasteChunk>(&b)) {
		TRY_ASSIGN(bool done, incoming_.add(c->id, c->bytes));
		if (done)
			return paste_ready();
	}
	return ok();
}

} // namespace bulkhead::gui
