// SPDX-License-Identifier: GPL-2.0-only
#include "agent.h"
#include "bulkhead/gui/xcb_atom.h"
#include "damage.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <poll.h>

#include <xcb/composite.h>

namespace bulkhead::gui {
namespace {

uint64_t now_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// Our own strings may be anything the guest's clients set: make them valid
// UTF-8 (Latin-1 bytes of a STRING property are converted) of at most max
// bytes, cut at a character boundary.
std::string to_utf8(std::string_view s, bool latin1, size_t max)
{
	std::string out;
	for (size_t i = 0; i < s.size();) {
		auto c = static_cast<uint8_t>(s[i]);
		std::string ch;
		if (c < 0x80) {
			ch = std::string(1, char(c));
			i++;
		} else if (latin1) {
			ch = {char(0xc0 | c >> 6), char(0x80 | (c & 0x3f))};
			i++;
		} else {
			size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
			ch = std::string(s.substr(i, len));
			if (len == 1 || !is_valid_utf8(ch)) {
				ch = "\xef\xbf\xbd"; // U+FFFD
				len = 1;
			}
			i += len;
		}
		if (out.size() + ch.size() > max)
			break;
		out += ch;
	}
	return out;
}

// Cursor names (X cursor-font and CSS names, as Xcursor themes name the
// cursors they load) to X cursor-font glyphs, which dom0 can show without
// any pixels from the guest.
uint32_t cursor_glyph(std::string_view name)
{
	static const std::pair<std::string_view, uint32_t> table[] = {
		{"X_cursor", 0},	  {"not-allowed", 0},	    {"arrow", 2},
		{"bottom_left_corner", 12}, {"sw-resize", 12},	    {"bottom_right_corner", 14},
		{"se-resize", 14},	  {"bottom_side", 16},	    {"s-resize", 16},
		{"crosshair", 34},	  {"cross", 30},	    {"fleur", 52},
		{"move", 52},		  {"all-scroll", 52},	    {"hand1", 58},
		{"grab", 58},		  {"hand2", 60},	    {"pointer", 60},
		{"left_ptr", 68},	  {"default", 68},	    {"left_side", 70},
		{"w-resize", 70},	  {"question_arrow", 92},   {"help", 92},
		{"right_side", 96},	  {"e-resize", 96},	    {"sb_h_double_arrow", 108},
		{"ew-resize", 108},	  {"col-resize", 108},	    {"sb_v_double_arrow", 116},
		{"ns-resize", 116},	  {"row-resize", 116},	    {"top_left_corner", 134},
		{"nw-resize", 134},	  {"top_right_corner", 136}, {"ne-resize", 136},
		{"top_side", 138},	  {"n-resize", 138},	    {"watch", 150},
		{"wait", 150},		  {"progress", 150},	    {"xterm", 152},
		{"text", 152},
	};
	for (const auto &[n, g] : table)
		if (n == name)
			return g;
	return kCursorDefault;
}

} // namespace

Agent::Agent(AgentConfig config, std::unique_ptr<Channel> channel)
    : cfg_(std::move(config)), channel_(std::move(channel))
{
}

Agent::~Agent()
{
	if (!conn_)
		return;
	source_.reset();
	clipboard_.reset();
	xcb_disconnect(conn_);
}

Result<std::unique_ptr<Agent>> Agent::create(AgentConfig config, std::unique_ptr<Channel> channel,
					     BufferSourceFactory source)
{
	std::unique_ptr<Agent> a(new Agent(std::move(config), std::move(channel)));
	TRY(a->init_x(source));
	return a;
}

Agent::Stats Agent::stats() const
{
	return Stats{frames_sent_.load(), frames_acked_.load(), last_rtt_.load(),
		     max_rtt_.load(),	  sum_rtt_.load(),	last_dom0_.load(),
		     tx_bytes_.load(),	  rx_bytes_.load()};
}

xcb_atom_t Agent::atom(const char *name)
{
	return intern_atom(conn_, atoms_, name);
}

Result<void> Agent::init_x(BufferSourceFactory &make_source)
{
	int screen_num = 0;
	conn_ = xcb_connect(cfg_.display.empty() ? nullptr : cfg_.display.c_str(), &screen_num);
	if (xcb_connection_has_error(conn_)) {
		xcb_disconnect(conn_);
		conn_ = nullptr;
		return err("cannot connect to X display '" + cfg_.display + "'");
	}
	auto it = xcb_setup_roots_iterator(xcb_get_setup(conn_));
	for (int i = 0; i < screen_num && it.rem; i++)
		xcb_screen_next(&it);
	screen_ = it.data;

	auto *cv = xcb_composite_query_version_reply(conn_, xcb_composite_query_version(conn_, 0, 4),
						     nullptr);
	bool comp_ok = cv && (cv->major_version > 0 || cv->minor_version >= 2);
	free(cv);
	if (!comp_ok)
		return err("X server lacks Composite 0.2");
	auto *dv = xcb_damage_query_version_reply(conn_, xcb_damage_query_version(conn_, 1, 1),
						  nullptr);
	free(dv);
	auto *fv = xcb_xfixes_query_version_reply(conn_, xcb_xfixes_query_version(conn_, 4, 0),
						  nullptr);
	bool fixes_ok = fv && fv->major_version >= 2;
	free(fv);
	if (!dv || !fixes_ok)
		return err("X server lacks DAMAGE or XFIXES 2");
	damage_event_base_ = xcb_get_extension_data(conn_, &xcb_damage_id)->first_event;

	TRY_ASSIGN(source_, make_source(conn_));
	TRY_ASSIGN(clipboard_, AgentClipboard::create(cfg_.clipboard, conn_, screen_,
						      [this](GuestBody b) { return send(0, std::move(b)); }));

	// Hello, and dom0's welcome (its window limit) before any window.
	TRY(send(0, Hello{kVersionMajor, kVersionMinor, screen_->width_in_pixels,
			  screen_->height_in_pixels}));
	TRY(wait_welcome());

	// Grab the server while we redirect and list the windows, so that no
	// window is created in between and missed.
	xcb_grab_server(conn_);
	uint32_t mask[] = {XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY};
	auto ck = xcb_change_window_attributes_checked(conn_, screen_->root, XCB_CW_EVENT_MASK, mask);
	auto rk = xcb_composite_redirect_subwindows_checked(conn_, screen_->root,
							    XCB_COMPOSITE_REDIRECT_MANUAL);
	auto *e1 = xcb_request_check(conn_, ck);
	auto *e2 = xcb_request_check(conn_, rk);
	if (e1 || e2) {
		free(e1);
		free(e2);
		xcb_ungrab_server(conn_);
		return err("cannot redirect the root's children (another compositor running?)");
	}
	region_ = xcb_generate_id(conn_);
	xcb_xfixes_create_region(conn_, region_, 0, nullptr);
	xcb_xfixes_select_cursor_input(conn_, screen_->root,
				       XCB_XFIXES_CURSOR_NOTIFY_MASK_DISPLAY_CURSOR);
	xfixes_event_base_ = xcb_get_extension_data(conn_, &xcb_xfixes_id)->first_event;
	for (const char *a : {"_NET_WM_NAME", "UTF8_STRING", "WM_PROTOCOLS", "WM_DELETE_WINDOW",
			      kBufferProperty})
		atom(a);

	auto *tree = xcb_query_tree_reply(conn_, xcb_query_tree(conn_, screen_->root), nullptr);
	std::vector<xcb_window_t> kids;
	if (tree) {
		auto *c = xcb_query_tree_children(tree);
		kids.assign(c, c + xcb_query_tree_children_length(tree));
		free(tree);
	}
	Result<void> r = ok();
	for (xcb_window_t k : kids) {
		auto *ga = xcb_get_window_attributes_reply(conn_, xcb_get_window_attributes(conn_, k),
							   nullptr);
		auto *gg = xcb_get_geometry_reply(conn_, xcb_get_geometry(conn_, k), nullptr);
		if (ga && gg && ga->_class == XCB_WINDOW_CLASS_INPUT_OUTPUT && r.ok())
			r = add_window(k, gg->x, gg->y, gg->width, gg->height, ga->override_redirect,
				       ga->map_state == XCB_MAP_STATE_VIEWABLE);
		free(ga);
		free(gg);
	}
	xcb_ungrab_server(conn_);
	xcb_flush(conn_);
	return r;
}

Result<void> Agent::wait_welcome()
{
	auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
	while (!session_.welcomed()) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
			end - std::chrono::steady_clock::now());
		if (left.count() <= 0)
			return err("no welcome from dom0 within 60 s");
		pollfd p{channel_->poll_fd(),
			 short(POLLIN | (channel_->wants_write() ? POLLOUT : 0)), 0};
		if (poll(&p, 1, int(left.count())) < 0 && errno != EINTR)
			return Error::from_errno("poll", errno);
		if (p.revents & POLLOUT)
			TRY(channel_->flush());
		if (p.revents & (POLLIN | POLLHUP | POLLERR))
			TRY(handle_channel());
	}
	return ok();
}

Result<void> Agent::send(uint32_t window, GuestBody body)
{
	if (const auto *d = std::get_if<Damage>(&body); d)
		frames_sent_++;
	auto bytes = encode(window, out_seq_.next(), body);
	tx_bytes_ += bytes.size() + channel_->framing_bytes();
	return channel_->send(bytes);
}

Agent::AWin *Agent::find(xcb_window_t id)
{
	auto it = windows_.find(id);
	return it == windows_.end() ? nullptr : &it->second;
}

std::string Agent::get_string_property(xcb_window_t w, xcb_atom_t prop, size_t max,
				       xcb_atom_t *type)
{
	auto *r = xcb_get_property_reply(
		conn_,
		xcb_get_property(conn_, 0, w, prop, XCB_GET_PROPERTY_TYPE_ANY, 0, uint32_t(max + 3) / 4),
		nullptr);
	std::string s;
	if (r && r->format == 8) {
		s.assign(static_cast<const char *>(xcb_get_property_value(r)),
			 size_t(xcb_get_property_value_length(r)));
		if (type)
			*type = r->type;
	}
	free(r);
	return s;
}

Result<void> Agent::add_window(xcb_window_t id, int32_t x, int32_t y, uint32_t w, uint32_t h,
			       bool override_redirect, bool mapped)
{
	if (windows_.count(id))
		return ok();
	if (windows_.size() >= max_windows_) {
		if (cfg_.verbose)
			fprintf(stderr, "agent: window limit (%u) reached, 0x%x not shown\n",
				max_windows_, id);
		return ok();
	}
	AWin win;
	win.id = id;
	win.x = std::clamp(x, -kMaxCoord, kMaxCoord);
	win.y = std::clamp(y, -kMaxCoord, kMaxCoord);
	win.w = std::clamp<uint32_t>(w, 1, kMaxWidth);
	win.h = std::clamp<uint32_t>(h, 1, kMaxHeight);
	win.override_redirect = override_redirect;
	uint32_t mask[] = {XCB_EVENT_MASK_PROPERTY_CHANGE};
	xcb_change_window_attributes(conn_, id, XCB_CW_EVENT_MASK, mask);
	// Composite sizes the backing pixmap (the gntfb buffer) border
	// included, so a window with an X border (xterm, xclock: 1) never got a
	// buffer of its size. dom0 draws the frame: no border, as a window
	// manager would set it.
	uint32_t no_border[] = {0};
	xcb_configure_window(conn_, id, XCB_CONFIG_WINDOW_BORDER_WIDTH, no_border);
	win.damage = xcb_generate_id(conn_);
	xcb_damage_create(conn_, win.damage, id, XCB_DAMAGE_REPORT_LEVEL_NON_EMPTY);
	AWin &ref = windows_.emplace(id, std::move(win)).first->second;
	TRY(send(id, Create{ref.x, ref.y, ref.w, ref.h, 0, override_redirect}));
	TRY(send_title(ref));
	TRY(send_class(ref));
	TRY(send_hints(ref));
	if (mapped)
		TRY(on_map(ref));
	return ok();
}

Result<void> Agent::remove_window(xcb_window_t id)
{
	AWin *w = find(id);
	if (!w)
		return ok();
	for (const ABuf &b : w->bufs) {
		if (b.pixmap)
			xcb_free_pixmap(conn_, b.pixmap);
		source_->release(b.desc);
	}
	// The damage object went with the window.
	windows_.erase(id);
	return send(id, Destroy{});
}

void Agent::read_transient(AWin &w)
{
	auto *r = xcb_get_property_reply(
		conn_, xcb_get_property(conn_, 0, w.id, XCB_ATOM_WM_TRANSIENT_FOR, XCB_ATOM_WINDOW, 0, 1),
		nullptr);
	w.transient_for = 0;
	if (r && r->format == 32 && xcb_get_property_value_length(r) == 4) {
		xcb_window_t t = *static_cast<xcb_window_t *>(xcb_get_property_value(r));
		if (t != w.id && windows_.count(t))
			w.transient_for = t;
	}
	free(r);
}

Result<void> Agent::send_restack(AWin &w)
{
	if (dom0_minor_ < 1)
		return ok(); // restack is minor 1
	// The nearest announced window below w, in the root's stacking order.
	auto *t = xcb_query_tree_reply(conn_, xcb_query_tree(conn_, screen_->root), nullptr);
	if (!t)
		return ok();
	const xcb_window_t *kids = xcb_query_tree_children(t);
	int n = xcb_query_tree_children_length(t);
	uint32_t below = 0;
	bool found = false;
	for (int i = 0; i < n && !found; i++) { // bottom first
		if (kids[i] == w.id)
			found = true;
		else if (windows_.count(kids[i]))
			below = kids[i];
	}
	free(t);
	if (!found || w.sent_above == below)
		return ok();
	w.sent_above = below;
	return send(w.id, Restack{below});
}

Result<void> Agent::on_map(AWin &w)
{
	read_transient(w);
	w.mapped = true;
	TRY(send(w.id, Map{w.transient_for, w.override_redirect}));
	return refresh_buffer(w);
}

Result<void> Agent::refresh_buffer(AWin &w)
{
	if (!w.mapped)
		return ok();
	xcb_pixmap_t pix = 0;
	std::optional<BufferDesc> desc;
	if (source_->holds_pixmaps()) {
		// The driver's property must describe the very pixmap we hold:
		// with the server grabbed, no client can resize the window (and
		// free the pixmap the property named, whose grants the pool may
		// then end) between naming the pixmap and reading the property.
		pix = xcb_generate_id(conn_);
		xcb_grab_server(conn_);
		xcb_composite_name_window_pixmap(conn_, w.id, pix);
		auto *g = xcb_get_geometry_reply(conn_, xcb_get_geometry(conn_, pix), nullptr);
		auto cur = g ? source_->current(w.id, g->width, g->height)
			     : Result<std::optional<BufferDesc>>(std::nullopt);
		free(g);
		xcb_ungrab_server(conn_);
		xcb_flush(conn_);
		if (!cur.ok() || !*cur || (!w.bufs.empty() && w.bufs.back().desc == **cur)) {
			xcb_free_pixmap(conn_, pix);
			return cur.ok() ? ok() : Result<void>(cur.error());
		}
		desc = *cur;
	} else {
		TRY_ASSIGN(auto cur, source_->current(w.id, w.w, w.h));
		if (!cur || (!w.bufs.empty() && w.bufs.back().desc == *cur))
			return ok();
		desc = cur;
	}
	if (desc->width > kMaxWidth || desc->height > kMaxHeight || desc->stride < desc->width * 4) {
		if (pix)
			xcb_free_pixmap(conn_, pix);
		return ok(); // the driver's value is not something dom0 would accept
	}
	// dom0 keeps two buffers per window: a third retires the oldest.
	if (w.bufs.size() == kMaxBuffersPerWindow) {
		if (w.bufs.front().pixmap)
			xcb_free_pixmap(conn_, w.bufs.front().pixmap);
		source_->release(w.bufs.front().desc);
		w.bufs.erase(w.bufs.begin());
	}
	ABuf b{w.next_buffer_id++, *desc, pix};
	w.bufs.push_back(b);
	TRY(send(w.id, Buffer{b.id, desc->width, desc->height, desc->stride, desc->format,
			      desc->dir_ref}));
	w.pending.clear();
	add_damage(w, Rect{0, 0, desc->width, desc->height});
	return ok();
}

Result<void> Agent::send_title(AWin &w)
{
	xcb_atom_t type = 0;
	std::string t = get_string_property(w.id, atom("_NET_WM_NAME"), kMaxTitleBytes * 2, &type);
	bool latin1 = false;
	if (t.empty()) {
		t = get_string_property(w.id, XCB_ATOM_WM_NAME, kMaxTitleBytes * 2, &type);
		latin1 = type == XCB_ATOM_STRING;
	}
	return send(w.id, Title{to_utf8(t, latin1, kMaxTitleBytes)});
}

Result<void> Agent::send_class(AWin &w)
{
	std::string v = get_string_property(w.id, XCB_ATOM_WM_CLASS, 2 * kMaxClassBytes + 2);
	size_t nul = v.find('\0');
	std::string name = v.substr(0, nul);
	std::string cls = nul == std::string::npos ? "" : v.substr(nul + 1);
	if (size_t n2 = cls.find('\0'); n2 != std::string::npos)
		cls.resize(n2);
	return send(w.id, Class{to_utf8(name, true, kMaxClassBytes), to_utf8(cls, true, kMaxClassBytes)});
}

Result<void> Agent::send_hints(AWin &w)
{
	auto *r = xcb_get_property_reply(conn_,
					 xcb_get_property(conn_, 0, w.id, XCB_ATOM_WM_NORMAL_HINTS,
							  XCB_ATOM_WM_SIZE_HINTS, 0, 18),
					 nullptr);
	SizeHints h;
	if (r && r->format == 32 && xcb_get_property_value_length(r) >= 18 * 4) {
		const auto *v = static_cast<const uint32_t *>(xcb_get_property_value(r));
		h.flags = v[0] & kHintAll;
		auto cw = [](uint32_t x) { return std::min(x, kMaxWidth); };
		auto ch = [](uint32_t x) { return std::min(x, kMaxHeight); };
		h.min_w = cw(v[5]), h.min_h = ch(v[6]), h.max_w = cw(v[7]), h.max_h = ch(v[8]);
		h.inc_w = cw(v[9]), h.inc_h = ch(v[10]), h.base_w = cw(v[15]), h.base_h = ch(v[16]);
		if ((h.flags & kHintMinSize) && (h.flags & kHintMaxSize) &&
		    (h.min_w > h.max_w || h.min_h > h.max_h))
			h.flags &= ~kHintMaxSize;
	}
	free(r);
	return send(w.id, h);
}

Result<void> Agent::on_cursor(xcb_atom_t name)
{
	// The displayed cursor is the one of the window under the pointer.
	auto *p = xcb_query_pointer_reply(conn_, xcb_query_pointer(conn_, screen_->root), nullptr);
	xcb_window_t child = p ? p->child : XCB_NONE;
	free(p);
	AWin *w = find(child);
	if (!w)
		return ok();
	uint32_t glyph = kCursorDefault;
	if (name != XCB_ATOM_NONE) {
		auto *r = xcb_get_atom_name_reply(conn_, xcb_get_atom_name(conn_, name), nullptr);
		if (r) {
			glyph = cursor_glyph(std::string_view(xcb_get_atom_name_name(r),
							      size_t(xcb_get_atom_name_name_length(r))));
			free(r);
		}
	}
	if (glyph == w->cursor)
		return ok();
	w->cursor = glyph;
	return send(w->id, Cursor{glyph});
}

void Agent::add_damage(AWin &w, const Rect &r)
{
	// Clip to the current buffer (damage before the buffer exists or past a
	// shrink is dropped: a new buffer is fully damaged anyway).
	if (w.bufs.empty())
		return;
	const BufferDesc &d = w.bufs.back().desc;
	if (r.x >= d.width || r.y >= d.height || r.w == 0 || r.h == 0)
		return;
	merge_damage(w.pending, Rect{r.x, r.y, std::min(r.w, d.width - r.x), std::min(r.h, d.height - r.y)});
}

bool Agent::frame_due() const
{
	return std::chrono::steady_clock::now() - last_flush_ >= cfg_.frame_interval;
}

Result<void> Agent::flush_frames()
{
	last_flush_ = std::chrono::steady_clock::now();
	for (auto &[id, w] : windows_) {
		if (!w.mapped || w.pending.empty() || w.in_flight || w.bufs.empty())
			continue;
		const ABuf &b = w.bufs.back();
		TRY(source_->prepare(w.id, b.desc, w.pending));
		Damage d{b.id, ++w.frame, now_ns(), std::move(w.pending)};
		w.pending.clear();
		w.in_flight = d.frame;
		w.in_flight_rects = uint32_t(d.rects.size());
		w.in_flight_pixels = 0;
		for (const Rect &r : d.rects)
			w.in_flight_pixels += uint64_t(r.w) * r.h;
		TRY(send(id, std::move(d)));
	}
	return ok();
}

void Agent::release_buffers_before(AWin &w, uint32_t id)
{
	while (!w.bufs.empty() && w.bufs.front().id < id) {
		if (w.bufs.front().pixmap)
			xcb_free_pixmap(conn_, w.bufs.front().pixmap);
		source_->release(w.bufs.front().desc);
		w.bufs.erase(w.bufs.begin());
	}
}

Result<void> Agent::handle_dom0(const Dom0Message &m)
{
	AWin *w = m.window ? find(m.window) : nullptr;
	if (m.window && !w)
		return ok(); // crossed with our destroy
	if (const auto *wl = std::get_if<Welcome>(&m.body)) {
		max_windows_ = wl->max_windows;
		dom0_minor_ = wl->minor;
	} else if (const auto *a = std::get_if<Ack>(&m.body)) {
		if (w->in_flight && *w->in_flight == a->frame) {
			w->in_flight.reset();
			uint64_t now = now_ns();
			uint64_t rtt = now - a->damage_ts;
			frames_acked_++;
			last_rtt_ = rtt;
			sum_rtt_ += rtt;
			if (rtt > max_rtt_)
				max_rtt_ = rtt;
			last_dom0_ = a->done_ts >= a->recv_ts ? a->done_ts - a->recv_ts : 0;
			if (cfg_.on_frame)
				cfg_.on_frame(FrameRecord{now, w->id, a->frame, w->in_flight_rects,
							  w->in_flight_pixels, rtt, last_dom0_.load(),
							  tx_bytes_.load(), rx_bytes_.load()});
		}
		release_buffers_before(*w, a->buffer_id);
	} else if (const auto *c = std::get_if<ConfigureRequest>(&m.body)) {
		uint32_t v[] = {uint32_t(c->x), uint32_t(c->y), c->w, c->h};
		xcb_configure_window(conn_, w->id,
				     XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y |
					     XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT,
				     v);
	} else if (std::holds_alternative<CloseRequest>(m.body)) {
		xcb_client_message_event_t ev{};
		ev.response_type = XCB_CLIENT_MESSAGE;
		ev.format = 32;
		ev.window = w->id;
		ev.type = atom("WM_PROTOCOLS");
		ev.data.data32[0] = atom("WM_DELETE_WINDOW");
		ev.data.data32[1] = XCB_CURRENT_TIME;
		xcb_send_event(conn_, 0, w->id, XCB_EVENT_MASK_NO_EVENT,
			       reinterpret_cast<const char *>(&ev));
	} else if (const auto *f = std::get_if<Focus>(&m.body)) {
		if (f->focused && w->mapped)
			xcb_set_input_focus(conn_, XCB_INPUT_FOCUS_POINTER_ROOT, w->id,
					    XCB_CURRENT_TIME);
	} else if (std::holds_alternative<ClipboardRequest>(m.body) ||
		   std::holds_alternative<ClipboardPaste>(m.body) ||
		   std::holds_alternative<PasteChunk>(m.body)) {
		auto r = clipboard_->on_message(m.body);
		if (!r.ok())
			return r.error().context("dom0 protocol violation");
	}
	return ok();
}

Result<void> Agent::handle_channel()
{
	backlog_ = false;
	for (int i = 0; i < 256; i++) {
		TRY_ASSIGN(auto bytes, channel_->receive());
		if (!bytes)
			return ok();
		rx_bytes_ += bytes->size() + channel_->framing_bytes();
		auto m = decode_dom0(*bytes);
		if (!m.ok())
			return m.error().context("dom0 protocol violation");
		auto s = session_.accept(*m);
		if (!s.ok())
			return s.error().context("dom0 protocol violation");
		TRY(handle_dom0(*m));
	}
	backlog_ = true;
	return ok();
}

Result<void> Agent::handle_x()
{
	while (xcb_generic_event_t *ev = xcb_poll_for_event(conn_)) {
		uint8_t type = ev->response_type & 0x7f;
		if (type != 0) {
			auto taken = clipboard_->on_x_event(ev);
			if (!taken.ok() || *taken) {
				free(ev);
				TRY(taken);
				continue;
			}
		}
		Result<void> r = ok();
		if (type == 0) {
			// BadWindow and friends from windows that vanished between an
			// event and our request: expected, harmless.
			auto *e = reinterpret_cast<xcb_generic_error_t *>(ev);
			if (cfg_.verbose)
				fprintf(stderr, "agent: X error %u (request %u.%u)\n", e->error_code,
					e->major_code, e->minor_code);
		} else if (type == damage_event_base_ + XCB_DAMAGE_NOTIFY) {
			auto *e = reinterpret_cast<xcb_damage_notify_event_t *>(ev);
			xcb_damage_subtract(conn_, e->damage, XCB_NONE, region_);
			AWin *w = find(e->drawable);
			if (w) {
				auto *fr = xcb_xfixes_fetch_region_reply(
					conn_, xcb_xfixes_fetch_region(conn_, region_), nullptr);
				if (fr) {
					auto *rs = xcb_xfixes_fetch_region_rectangles(fr);
					int n = xcb_xfixes_fetch_region_rectangles_length(fr);
					for (int i = 0; i < n; i++) {
						int32_t x = std::max<int32_t>(rs[i].x, 0);
						int32_t y = std::max<int32_t>(rs[i].y, 0);
						int32_t x2 = rs[i].x + rs[i].width, y2 = rs[i].y + rs[i].height;
						if (x2 > x && y2 > y)
							add_damage(*w, Rect{uint32_t(x), uint32_t(y),
									    uint32_t(x2 - x), uint32_t(y2 - y)});
					}
					free(fr);
				}
			}
		} else if (type == xfixes_event_base_ + XCB_XFIXES_CURSOR_NOTIFY) {
			auto *e = reinterpret_cast<xcb_xfixes_cursor_notify_event_t *>(ev);
			r = on_cursor(e->name);
		} else if (type == XCB_CREATE_NOTIFY) {
			auto *e = reinterpret_cast<xcb_create_notify_event_t *>(ev);
			// InputOnly windows have nothing to show: skip them.
			auto *ga = e->parent == screen_->root
					   ? xcb_get_window_attributes_reply(
						     conn_, xcb_get_window_attributes(conn_, e->window), nullptr)
					   : nullptr;
			if (ga && ga->_class == XCB_WINDOW_CLASS_INPUT_OUTPUT)
				r = add_window(e->window, e->x, e->y, e->width, e->height,
					       e->override_redirect, false);
			free(ga);
		} else if (type == XCB_DESTROY_NOTIFY) {
			auto *e = reinterpret_cast<xcb_destroy_notify_event_t *>(ev);
			r = remove_window(e->window);
		} else if (type == XCB_MAP_NOTIFY) {
			auto *e = reinterpret_cast<xcb_map_notify_event_t *>(ev);
			if (AWin *w = find(e->window)) {
				w->override_redirect = e->override_redirect;
				r = on_map(*w);
			}
		} else if (type == XCB_UNMAP_NOTIFY) {
			auto *e = reinterpret_cast<xcb_unmap_notify_event_t *>(ev);
			if (AWin *w = find(e->window); w && e->event == screen_->root) {
				w->mapped = false;
				r = send(w->id, Unmap{});
			}
		} else if (type == XCB_CONFIGURE_NOTIFY) {
			auto *e = reinterpret_cast<xcb_configure_notify_event_t *>(ev);
			if (AWin *w = find(e->window); w && e->event == screen_->root) {
				bool resized = e->width != w->w || e->height != w->h;
				w->x = std::clamp<int32_t>(e->x, -kMaxCoord, kMaxCoord);
				w->y = std::clamp<int32_t>(e->y, -kMaxCoord, kMaxCoord);
				w->w = std::clamp<uint32_t>(e->width, 1, kMaxWidth);
				w->h = std::clamp<uint32_t>(e->height, 1, kMaxHeight);
				w->override_redirect = e->override_redirect;
				r = send(w->id, Configure{w->x, w->y, w->w, w->h, w->override_redirect});
				if (r.ok() && resized)
					r = refresh_buffer(*w);
				if (r.ok() && e->above_sibling != w->above_sibling) {
					w->above_sibling = e->above_sibling;
					r = send_restack(*w);
				}
			}
		} else if (type == XCB_REPARENT_NOTIFY) {
			auto *e = reinterpret_cast<xcb_reparent_notify_event_t *>(ev);
			if (e->parent != screen_->root)
				r = remove_window(e->window);
		} else if (type == XCB_PROPERTY_NOTIFY) {
			auto *e = reinterpret_cast<xcb_property_notify_event_t *>(ev);
			if (AWin *w = find(e->window)) {
				if (e->atom == XCB_ATOM_WM_NAME || e->atom == atom("_NET_WM_NAME"))
					r = send_title(*w);
				else if (e->atom == XCB_ATOM_WM_CLASS)
					r = send_class(*w);
				else if (e->atom == XCB_ATOM_WM_NORMAL_HINTS)
					r = send_hints(*w);
				else if (e->atom == atom(kBufferProperty))
					r = refresh_buffer(*w);
			}
		}
		free(ev);
		TRY(r);
	}
	return ok();
}

Result<void> Agent::run(int stop_fd)
{
	int xfd = xcb_get_file_descriptor(conn_);
	for (;;) {
		TRY(handle_x());
		auto ready = [&] {
			for (auto &[id, w] : windows_)
				if (w.mapped && !w.pending.empty() && !w.in_flight && !w.bufs.empty())
					return true;
			return false;
		};
		if (ready() && frame_due()) {
			TRY(flush_frames());
			// prepare() may wait for replies, queueing events: drain them.
			TRY(handle_x());
		}
		bool waiting = ready();
		xcb_flush(conn_);
		if (xcb_connection_has_error(conn_))
			return err("lost the X connection");

		int timeout = -1;
		if (backlog_) {
			timeout = 0;
		} else if (waiting) {
			auto left = cfg_.frame_interval - (std::chrono::steady_clock::now() - last_flush_);
			timeout = int(std::max<int64_t>(
				0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1));
		}
		if (int ct = clipboard_->timeout_ms(); ct >= 0 && (timeout < 0 || ct < timeout))
			timeout = ct;
		pollfd p[3] = {{channel_->poll_fd(), short(POLLIN | (channel_->wants_write() ? POLLOUT : 0)), 0},
			       {xfd, POLLIN, 0},
			       {stop_fd, POLLIN, 0}};
		if (poll(p, stop_fd >= 0 ? 3 : 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return Error::from_errno("poll", errno);
		}
		if (stop_fd >= 0 && p[2].revents)
			return ok();
		if (p[0].revents & POLLOUT)
			TRY(channel_->flush());
		if (backlog_ || (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			TRY(handle_channel());
		TRY(clipboard_->tick());
	}
}

} // namespace bulkhead::gui
