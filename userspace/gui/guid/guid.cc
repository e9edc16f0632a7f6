// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/gui/xcb_atom.h"
#include "guid.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cctype>
#include <ctime>
#include <poll.h>
#include <unistd.h>

namespace bulkhead::gui {
namespace {

uint64_t now_ns()
{
	timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

int32_t clamp32(int64_t v, int64_t lo, int64_t hi) { return int32_t(std::clamp(v, lo, hi)); }

// Pixel value of an RGB colour in a TrueColor visual.
uint32_t pixel_for(const xcb_visualtype_t *v, uint32_t rgb)
{
	auto scale = [](uint32_t c8, uint32_t mask) -> uint32_t {
		if (!mask)
			return 0;
		int shift = __builtin_ctz(mask);
		uint32_t max = mask >> shift;
		return ((c8 * max + 127) / 255) << shift;
	};
	return scale(rgb >> 16 & 0xff, v->red_mask) | scale(rgb >> 8 & 0xff, v->green_mask) |
	       scale(rgb & 0xff, v->blue_mask);
}

const xcb_visualtype_t *root_visual(xcb_screen_t *s)
{
	for (auto d = xcb_screen_allowed_depths_iterator(s); d.rem; xcb_depth_next(&d))
		for (auto v = xcb_depth_visuals_iterator(d.data); v.rem; xcb_visualtype_next(&v))
			if (v.data->visual_id == s->root_visual)
				return v.data;
	return nullptr;
}

} // namespace

Result<void> validate_vm_name(std::string_view name)
{
	if (name.empty() || name.size() > 31)
		return err("VM name must be 1..31 characters");
	for (char c : name)
		if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
			return err("VM name '" + std::string(name) +
				   "': only letters, digits, '-', '_' and '.' allowed");
	if (name[0] == '-' || name[0] == '.')
		return err("VM name must not start with '-' or '.'");
	return ok();
}

Guid::Guid(GuidConfig config, std::unique_ptr<Channel> channel,
	   std::unique_ptr<BufferImporter> importer, std::unique_ptr<InputConnector> input)
    : cfg_(std::move(config)), channel_(std::move(channel)), importer_(std::move(importer)),
      session_(cfg_.max_windows), input_(std::move(input))
{
}

Result<std::unique_ptr<Guid>> Guid::create(GuidConfig config, std::unique_ptr<Channel> channel,
					   std::unique_ptr<BufferImporter> importer,
					   std::unique_ptr<InputConnector> input)
{
	TRY(validate_vm_name(config.vm_name));
	if (config.border < 1 || config.border > 32)
		return err("border must be 1..32 pixels");
	if (config.max_windows < 1 || config.max_windows > kMaxWindows)
		return err("max windows must be 1.." + std::to_string(kMaxWindows));
	std::unique_ptr<Guid> g(new Guid(std::move(config), std::move(channel), std::move(importer),
					 std::move(input)));
	TRY(g->init_x());
	TRY(g->update_input_link());
	return g;
}

Guid::~Guid()
{
	if (!conn_)
		return;
	for (auto &[id, w] : windows_) {
		for (const Buf &b : w.bufs)
			xcb_shm_detach(conn_, b.seg);
		xcb_destroy_window(conn_, w.frame);
	}
	for (auto &[shape, c] : cursors_)
		xcb_free_cursor(conn_, c);
	clipboard_.reset(); // its notification windows, while conn_ is alive
	xcb_disconnect(conn_);
}

xcb_atom_t Guid::atom(const char *name)
{
	return intern_atom(conn_, atoms_, name);
}

Result<void> Guid::init_x()
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
	const xcb_visualtype_t *vis = root_visual(screen_);
	if (!vis || vis->_class != XCB_VISUAL_CLASS_TRUE_COLOR || screen_->root_depth != 24)
		return err("dom0 X screen must be TrueColor depth 24");
	label_pixel_ = pixel_for(vis, cfg_.label.rgb);

	const xcb_query_extension_reply_t *shm = xcb_get_extension_data(conn_, &xcb_shm_id);
	if (!shm || !shm->present)
		return err("dom0 X server lacks MIT-SHM");
	shm_event_base_ = shm->first_event;
	auto *ver = xcb_shm_query_version_reply(conn_, xcb_shm_query_version(conn_), nullptr);
	bool fd_ok = ver && (ver->major_version > 1 ||
			     (ver->major_version == 1 && ver->minor_version >= 2));
	free(ver);
	if (!fd_ok)
		return err("dom0 X server lacks MIT-SHM 1.2 (ShmAttachFd)");

	gc_ = xcb_generate_id(conn_);
	uint32_t gcv[] = {0};
	xcb_create_gc(conn_, gc_, screen_->root, XCB_GC_GRAPHICS_EXPOSURES, gcv);
	cursor_font_ = xcb_generate_id(conn_);
	xcb_open_font(conn_, cursor_font_, 6, "cursor");
	for (const char *a : {"WM_PROTOCOLS", "WM_DELETE_WINDOW", "_NET_WM_NAME", "UTF8_STRING",
			      "_BULKHEAD_VMNAME", "_BULKHEAD_LABEL", "_NET_WM_WINDOW_TYPE",
			      "_NET_WM_WINDOW_TYPE_NORMAL", "_XKB_RULES_NAMES"})
		atom(a);
	TRY_ASSIGN(clipboard_, GuidClipboard::create(cfg_.clipboard, cfg_.vm_name, cfg_.label, conn_,
						     screen_, [this](Dom0Body b) { (void)send(0, std::move(b)); }));
	// dom0's keyboard layout, for the AppVM: now and on every change.
	uint32_t rootmask[] = {XCB_EVENT_MASK_PROPERTY_CHANGE};
	xcb_change_window_attributes(conn_, screen_->root, XCB_CW_EVENT_MASK, rootmask);
	read_xkb_layout();
	xcb_flush(conn_);
	return ok();
}

Result<void> Guid::send(uint32_t window, Dom0Body body)
{
	auto bytes = encode(window, out_seq_.next(), body);
	// A failed send (peer gone, or not reading) ends the connection, but
	// only after what it already sent was read: a violation in there is
	// the better reason to log.
	auto r = channel_->send(bytes);
	if (!r.ok() && !send_error_)
		send_error_ = r.error();
	return ok();
}

std::string Guid::stats_line() const
{
	return "received " + std::to_string(stats_.messages) + " messages, " +
	       std::to_string(stats_.bytes) + " bytes (largest " + std::to_string(stats_.largest) +
	       "); " + std::to_string(stats_.damages) + " damage, " +
	       std::to_string(stats_.acks) + " acked, " + std::to_string(stats_.buffers) +
	       " buffers imported; " + std::to_string(windows_.size()) + " windows";
}

Result<void> Guid::run(int stop_fd, int stats_fd)
{
	int xfd = xcb_get_file_descriptor(conn_);
	for (;;) {
		pollfd p[6] = {{channel_->poll_fd(), short(POLLIN | (channel_->wants_write() ? POLLOUT : 0)), 0},
			       {xfd, POLLIN, 0},
			       {stop_fd, POLLIN, 0},
			       {stats_fd, POLLIN, 0},
			       {input_ ? input_->poll_fd() : -1, POLLIN, 0},
			       {input_link_ ? input_link_->poll_fd() : -1, POLLIN, 0}};
		int wait = backlog_ ? 0 : clipboard_->timeout_ms();
		if (int w = channel_->max_wait_ms(); w >= 0 && (wait < 0 || w < wait))
			wait = w;
		int ready = poll(p, 6, wait);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			return Error::from_errno("poll", errno);
		}
		clipboard_->tick();
		if (stop_fd >= 0 && p[2].revents)
			return ok();
		if (stats_fd >= 0 && p[3].revents) {
			char drain[512];
			while (read(stats_fd, drain, sizeof(drain)) > 0) {
			}
			fprintf(stderr, "guid[%s]: stats: %s\n", cfg_.vm_name.c_str(),
				stats_line().c_str());
		}
		if (p[4].revents)
			TRY(update_input_link());
		if (p[5].revents && input_link_) {
			TRY(input_link_->consume());
			input_dirty_ = true; // the AppVM made room
		}
		if (p[0].revents & POLLOUT) {
			auto f = channel_->flush();
			if (!f.ok() && !send_error_)
				send_error_ = f.error();
		}
		// A timeout runs the channel too: its checks that the AppVM still
		// exists (max_wait_ms) happen in receive().
		if (backlog_ || ready == 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			TRY(handle_channel());
		TRY(handle_x());
		TRY(flush_input());
		if (send_error_)
			return *send_error_;
		xcb_flush(conn_);
		if (xcb_connection_has_error(conn_))
			return err("lost the dom0 X connection");
	}
}

Result<void> Guid::handle_channel()
{
	// Bounded batch per wakeup so one AppVM cannot starve X event handling.
	backlog_ = false;
	for (int i = 0; i < 256; i++) {
		TRY_ASSIGN(auto bytes, channel_->receive());
		if (!bytes)
			return ok();
		uint64_t recv = now_ns();
		stats_.messages++;
		stats_.bytes += bytes->size();
		stats_.largest = std::max<uint64_t>(stats_.largest, bytes->size());
		auto m = decode_guest(*bytes);
		if (!m.ok())
			return m.error().context("protocol violation");
		auto s = session_.accept(*m);
		if (!s.ok())
			return s.error().context("protocol violation");
		if (auto *d = std::get_if<Damage>(&m->body)) {
			stats_.damages++;
			Win *w = find(m->window);
			assert(w);
			TRY(on_damage(*w, *d, recv));
			continue;
		}
		TRY(handle_message(*m));
		xcb_flush(conn_);
	}
	backlog_ = true;
	return ok();
}

Result<void> Guid::handle_message(const GuestMessage &m)
{
	if (const auto *h = std::get_if<Hello>(&m.body)) {
		if (cfg_.verbose)
			fprintf(stderr, "guid[%s]: hello, guest screen %ux%u\n", cfg_.vm_name.c_str(),
				h->screen_w, h->screen_h);
		return send(0, Welcome{kVersionMajor, kVersionMinor, screen_->width_in_pixels,
				       screen_->height_in_pixels, cfg_.max_windows});
	}
	if (std::holds_alternative<ClipboardReply>(m.body) ||
	    std::holds_alternative<ClipboardChunk>(m.body) ||
	    std::holds_alternative<PasteResult>(m.body)) {
		auto r = clipboard_->on_message(m.body);
		if (!r.ok())
			return r.error().context("protocol violation");
		return ok();
	}
	if (const auto *c = std::get_if<Create>(&m.body))
		return on_create(m.window, *c);
	Win *w = find(m.window);
	assert(w); // GuestSession checked it exists
	return std::visit(
		[&](const auto &b) -> Result<void> {
			using T = std::decay_t<decltype(b)>;
			if constexpr (std::is_same_v<T, Map>)
				on_map(*w, b);
			else if constexpr (std::is_same_v<T, Unmap>) {
				xcb_unmap_window(conn_, w->frame);
				w->mapped = false;
			} else if constexpr (std::is_same_v<T, Configure>)
				on_configure(*w, b.x, b.y, b.w, b.h, b.override_redirect);
			else if constexpr (std::is_same_v<T, Destroy>)
				on_destroy(m.window);
			else if constexpr (std::is_same_v<T, Title>)
				on_title(*w, b.utf8);
			else if constexpr (std::is_same_v<T, Class>)
				on_class(*w, b);
			else if constexpr (std::is_same_v<T, SizeHints>)
				on_size_hints(*w, b);
			else if constexpr (std::is_same_v<T, Cursor>)
				on_cursor(*w, b.shape);
			else if constexpr (std::is_same_v<T, Restack>)
				on_restack(*w, b.above);
			else if constexpr (std::is_same_v<T, Buffer>)
				return on_buffer(*w, b);
			return ok();
		},
		m.body);
}

Guid::Win *Guid::find(uint32_t id)
{
	auto it = windows_.find(id);
	return it == windows_.end() ? nullptr : &it->second;
}

Guid::Win *Guid::find_by_content(xcb_window_t content)
{
	auto it = by_xid_.find(content);
	Win *w = it == by_xid_.end() ? nullptr : find(it->second);
	return w && w->content == content ? w : nullptr;
}

Guid::Win *Guid::find_by_frame(xcb_window_t frame)
{
	auto it = by_xid_.find(frame);
	Win *w = it == by_xid_.end() ? nullptr : find(it->second);
	return w && w->frame == frame ? w : nullptr;
}

xcb_window_t Guid::frame_of(uint32_t guest_window) const
{
	auto it = windows_.find(guest_window);
	return it == windows_.end() ? 0 : it->second.frame;
}

Result<void> Guid::on_create(uint32_t id, const Create &c)
{
	Win w;
	w.id = id;
	w.frame = xcb_generate_id(conn_);
	w.content = xcb_generate_id(conn_);
	w.override_redirect = c.override_redirect;
	// The frame: dom0's, filled with the label colour. The guest's pixels
	// only ever go into `content`, a child inset by the border width.
	uint32_t fmask = XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT | XCB_CW_EVENT_MASK;
	uint32_t fvals[] = {label_pixel_, c.override_redirect ? 1u : 0u,
			    XCB_EVENT_MASK_STRUCTURE_NOTIFY | XCB_EVENT_MASK_FOCUS_CHANGE |
				    XCB_EVENT_MASK_KEY_PRESS | XCB_EVENT_MASK_KEY_RELEASE};
	xcb_create_window(conn_, XCB_COPY_FROM_PARENT, w.frame, screen_->root, 0, 0, 1, 1, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT, fmask, fvals);
	uint32_t cmask = XCB_CW_BACK_PIXMAP | XCB_CW_EVENT_MASK;
	uint32_t cvals[] = {XCB_BACK_PIXMAP_NONE,
			    XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_BUTTON_PRESS |
				    XCB_EVENT_MASK_BUTTON_RELEASE | XCB_EVENT_MASK_POINTER_MOTION |
				    XCB_EVENT_MASK_ENTER_WINDOW | XCB_EVENT_MASK_LEAVE_WINDOW};
	xcb_create_window(conn_, XCB_COPY_FROM_PARENT, w.content, w.frame, int16_t(cfg_.border),
			  int16_t(cfg_.border), 1, 1, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
			  XCB_COPY_FROM_PARENT, cmask, cvals);
	xcb_map_window(conn_, w.content);

	xcb_atom_t protocols[] = {atom("WM_DELETE_WINDOW")};
	xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, w.frame, atom("WM_PROTOCOLS"),
			    XCB_ATOM_ATOM, 32, 1, protocols);
	xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, w.frame, atom("_BULKHEAD_VMNAME"),
			    atom("UTF8_STRING"), 8, uint32_t(cfg_.vm_name.size()),
			    cfg_.vm_name.data());
	xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, w.frame, atom("_BULKHEAD_LABEL"),
			    atom("UTF8_STRING"), 8, uint32_t(cfg_.label.name.size()),
			    cfg_.label.name.data());
	by_xid_[w.frame] = id;
	by_xid_[w.content] = id;
	auto [it, inserted] = windows_.emplace(id, std::move(w));
	assert(inserted);
	on_title(it->second, "");
	on_class(it->second, Class{});
	on_configure(it->second, c.x, c.y, c.w, c.h, c.override_redirect);
	on_size_hints(it->second, SizeHints{}); // PPosition before the first map
	return ok();
}

void Guid::place_frame(Win &w, bool move)
{
	int64_t b = cfg_.border;
	int64_t sw = screen_->width_in_pixels, sh = screen_->height_in_pixels;
	uint32_t cw = w.w, ch = w.h;
	int64_t fx = int64_t(w.x) - b, fy = int64_t(w.y) - b;
	if (w.override_redirect) {
		// Menus and tooltips: at most 3/4 of the screen each way, and
		// entirely on screen, so they cannot pose as dom0's UI.
		cw = uint32_t(std::min<int64_t>(cw, std::max<int64_t>(1, sw * 3 / 4 - 2 * b)));
		ch = uint32_t(std::min<int64_t>(ch, std::max<int64_t>(1, sh * 3 / 4 - 2 * b)));
		fx = std::clamp<int64_t>(fx, 0, std::max<int64_t>(0, sw - cw - 2 * b));
		fy = std::clamp<int64_t>(fy, 0, std::max<int64_t>(0, sh - ch - 2 * b));
	} else {
		fx = clamp32(fx, -kMaxCoord, kMaxCoord);
		fy = clamp32(fy, -kMaxCoord, kMaxCoord);
	}
	w.fx = int32_t(fx);
	w.fy = int32_t(fy);
	w.fw = cw + 2 * uint32_t(b);
	w.fh = ch + 2 * uint32_t(b);
	uint32_t fv[] = {uint32_t(w.fx), uint32_t(w.fy), w.fw, w.fh};
	uint16_t fmask = XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
			 XCB_CONFIG_WINDOW_HEIGHT;
	w.config_seq = uint16_t(
		(move ? xcb_configure_window(conn_, w.frame, fmask, fv)
		      : xcb_configure_window(conn_, w.frame,
					     XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, fv + 2))
			.sequence);
	uint32_t cv[] = {cw, ch};
	xcb_configure_window(conn_, w.content, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT,
			     cv);
}

void Guid::on_configure(Win &w, int32_t x, int32_t y, uint32_t width, uint32_t height,
			bool override_redirect)
{
	// The guest following a move by dom0's window manager (we asked it
	// for exactly where the WM reported the frame): leave the frame's
	// position to the WM. A reparenting WM (twm) takes a client's requested
	// position as that of its own frame, title bar included, but reports the
	// client's: moving the frame there again would creep the window down by
	// the title bar on every round trip, off the screen.
	bool echo = !override_redirect && !w.override_redirect &&
		    int64_t(x) - cfg_.border == w.fx && int64_t(y) - cfg_.border == w.fy;
	w.x = x;
	w.y = y;
	w.w = width;
	w.h = height;
	if (override_redirect != w.override_redirect) {
		w.override_redirect = override_redirect;
		uint32_t v[] = {override_redirect ? 1u : 0u};
		xcb_change_window_attributes(conn_, w.frame, XCB_CW_OVERRIDE_REDIRECT, v);
	}
	place_frame(w, !echo);
}

void Guid::on_map(Win &w, const Map &m)
{
	if (m.override_redirect != w.override_redirect)
		on_configure(w, w.x, w.y, w.w, w.h, m.override_redirect);
	Win *parent = m.transient_for ? find(m.transient_for) : nullptr;
	if (parent)
		xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, w.frame, XCB_ATOM_WM_TRANSIENT_FOR,
				    XCB_ATOM_WINDOW, 32, 1, &parent->frame);
	else
		xcb_delete_property(conn_, w.frame, XCB_ATOM_WM_TRANSIENT_FOR);
	xcb_map_window(conn_, w.frame);
	if (w.override_redirect) {
		uint32_t v[] = {XCB_STACK_MODE_ABOVE};
		xcb_configure_window(conn_, w.frame, XCB_CONFIG_WINDOW_STACK_MODE, v);
	}
	w.mapped = true;
}

void Guid::detach(const Buf &b)
{
	xcb_shm_detach(conn_, b.seg);
	buffer_bytes_ -= b.bytes;
}

void Guid::on_destroy(uint32_t id)
{
	Win *w = find(id);
	for (const Buf &b : w->bufs)
		detach(b);
	xcb_destroy_window(conn_, w->frame);
	by_xid_.erase(w->frame);
	by_xid_.erase(w->content);
	windows_.erase(id);
}

void Guid::on_title(Win &w, const std::string &utf8)
{
	w.title = "[" + cfg_.vm_name + "] " + sanitize_text(utf8);
	for (xcb_atom_t a : {atom("_NET_WM_NAME"), xcb_atom_t(XCB_ATOM_WM_NAME)})
		xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, w.frame, a, atom("UTF8_STRING"), 8,
				    uint32_t(w.title.size()), w.title.data());
}

void Guid::on_class(Win &w, const Class &c)
{
	// "vm:res_name\0vm:res_class\0", so dom0 WM rules can tell AppVMs apart.
	std::string v = cfg_.vm_name + ":" + sanitize_text(c.res_name);
	v.push_back('\0');
	v += cfg_.vm_name + ":" + sanitize_text(c.res_class);
	v.push_back('\0');
	xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, w.frame, XCB_ATOM_WM_CLASS,
			    XCB_ATOM_STRING, 8, uint32_t(v.size()), v.data());
}

void Guid::on_size_hints(Win &w, const SizeHints &h)
{
	// ICCCM WM_SIZE_HINTS, 18 CARD32s, sizes grown by the frame.
	uint32_t b2 = 2 * cfg_.border;
	uint32_t v[18] = {};
	// PPosition: dom0's window manager places the frame where the guest
	// asked (twm "UsePPosition"), rather than by its own rule.
	v[0] = h.flags | 0x4;
	v[1] = uint32_t(w.fx);
	v[2] = uint32_t(w.fy);
	v[5] = h.min_w + b2;
	v[6] = h.min_h + b2;
	v[7] = h.max_w + b2;
	v[8] = h.max_h + b2;
	v[9] = h.inc_w;
	v[10] = h.inc_h;
	v[15] = h.base_w + b2;
	v[16] = h.base_h + b2;
	xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, w.frame, XCB_ATOM_WM_NORMAL_HINTS,
			    XCB_ATOM_WM_SIZE_HINTS, 32, 18, v);
}

void Guid::on_cursor(Win &w, uint32_t shape)
{
	xcb_cursor_t c = XCB_NONE;
	if (shape != kCursorDefault) {
		auto it = cursors_.find(shape);
		if (it == cursors_.end()) {
			c = xcb_generate_id(conn_);
			xcb_create_glyph_cursor(conn_, c, cursor_font_, cursor_font_, uint16_t(shape),
						uint16_t(shape + 1), 0, 0, 0, 0xffff, 0xffff, 0xffff);
			cursors_.emplace(shape, c);
		} else {
			c = it->second;
		}
	}
	uint32_t v[] = {c};
	xcb_change_window_attributes(conn_, w.content, XCB_CW_CURSOR, v);
}

void Guid::on_restack(Win &w, uint32_t above)
{
	// Mirror the guest's order among this AppVM's own windows: directly
	// above the frame of `above`, or below the lowest of our frames. It
	// never lifts a window over another AppVM's or dom0's windows. Under a
	// reparenting window manager the frames are not siblings: the X error
	// is logged and the WM's order stands.
	xcb_window_t sibling = 0;
	uint32_t mode = XCB_STACK_MODE_ABOVE;
	if (above) {
		sibling = find(above)->frame;
	} else {
		auto *t = xcb_query_tree_reply(conn_, xcb_query_tree(conn_, screen_->root), nullptr);
		if (!t)
			return;
		const xcb_window_t *kids = xcb_query_tree_children(t);
		int n = xcb_query_tree_children_length(t);
		for (int i = 0; i < n && !sibling; i++) // bottom first
			if (kids[i] != w.frame && find_by_frame(kids[i]))
				sibling = kids[i];
		free(t);
		mode = XCB_STACK_MODE_BELOW;
	}
	if (!sibling)
		return;
	uint32_t v[] = {sibling, mode};
	xcb_configure_window(conn_, w.frame, XCB_CONFIG_WINDOW_SIBLING | XCB_CONFIG_WINDOW_STACK_MODE,
			     v);
}

Result<void> Guid::on_buffer(Win &w, const Buffer &b)
{
	uint64_t bytes = uint64_t(b.stride) * b.height;
	// Mirror GuestSession: a third buffer retires the oldest.
	if (w.bufs.size() == kMaxBuffersPerWindow) {
		detach(w.bufs.front());
		w.bufs.erase(w.bufs.begin());
	}
	if (buffer_bytes_ + bytes > cfg_.max_buffer_bytes)
		return err("buffer: over the AppVM's budget of " +
			   std::to_string(cfg_.max_buffer_bytes) + " bytes");
	auto fd = importer_->import(cfg_.domid, b.dir_ref, bytes);
	if (!fd.ok())
		return fd.error().context("buffer");
	xcb_shm_seg_t seg = xcb_generate_id(conn_);
	// xcb closes the fd once it is sent; the server maps it read-only.
	auto ck = xcb_shm_attach_fd_checked(conn_, seg, fd->release(), 1);
	if (auto *e = xcb_request_check(conn_, ck)) {
		uint8_t code = e->error_code;
		free(e);
		return err("buffer: dom0 X server refused the segment (X error " +
			   std::to_string(code) + ")");
	}
	buffer_bytes_ += bytes;
	stats_.buffers++;
	w.bufs.push_back(Buf{b.buffer_id, b.width, b.height, b.stride, bytes, seg});
	return ok();
}

void Guid::put(Win &w, const Buf &b, const Rect &r, bool notify)
{
	// Clip to the buffer and the (clamped) content window.
	uint32_t maxw = std::min(b.width, w.w), maxh = std::min(b.height, w.h);
	if (r.x >= maxw || r.y >= maxh)
		return;
	uint32_t rw = std::min(r.w, maxw - r.x), rh = std::min(r.h, maxh - r.y);
	xcb_shm_put_image(conn_, w.content, gc_, uint16_t(b.stride / 4), uint16_t(b.height),
			  uint16_t(r.x), uint16_t(r.y), uint16_t(rw), uint16_t(rh), int16_t(r.x),
			  int16_t(r.y), 24, XCB_IMAGE_FORMAT_Z_PIXMAP, notify ? 1 : 0, b.seg, 0);
}

Result<void> Guid::on_damage(Win &w, const Damage &d, uint64_t recv_ts)
{
	if (w.pending)
		return err("protocol violation: damage: frame " + std::to_string(d.frame) +
			   " sent before frame " + std::to_string(w.pending->frame) + " was acked");
	auto it = std::find_if(w.bufs.begin(), w.bufs.end(),
			       [&](const Buf &b) { return b.id == d.buffer_id; });
	assert(it != w.bufs.end());
	// Older buffers are retired by damage on a newer one.
	for (auto o = w.bufs.begin(); o != it; ++o)
		detach(*o);
	w.bufs.erase(w.bufs.begin(), it);
	const Buf &b = w.bufs.front();

	// One ShmPutImage per rectangle straight from the guest's pages; the
	// last one asks for a completion event, on which the frame is acked.
	size_t n = d.rects.size();
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		const Rect &r = d.rects[i];
		if (r.x < std::min(b.width, w.w) && r.y < std::min(b.height, w.h))
			any = true;
	}
	if (!any || !w.mapped) {
		uint64_t t = now_ns();
		stats_.acks++;
		return send(w.id, Ack{d.frame, d.buffer_id, d.timestamp_ns, recv_ts, t});
	}
	size_t last = n;
	for (size_t i = 0; i < n; i++)
		if (d.rects[i].x < std::min(b.width, w.w) && d.rects[i].y < std::min(b.height, w.h))
			last = i;
	for (size_t i = 0; i < n; i++)
		put(w, b, d.rects[i], i == last);
	w.pending = PendingAck{d.frame, d.buffer_id, d.timestamp_ns, recv_ts, b.seg};
	return ok();
}

Result<void> Guid::handle_x()
{
	while (xcb_generic_event_t *ev = xcb_poll_for_event(conn_)) {
		uint8_t type = ev->response_type & 0x7f;
		Result<void> r = ok();
		if (handle_input_event(ev)) {
			free(ev);
			continue;
		}
		if (type == 0) {
			auto *e = reinterpret_cast<xcb_generic_error_t *>(ev);
			fprintf(stderr, "guid[%s]: X error %u (request %u.%u)\n", cfg_.vm_name.c_str(),
				e->error_code, e->major_code, e->minor_code);
		} else if (type == shm_event_base_ + XCB_SHM_COMPLETION) {
			auto *e = reinterpret_cast<xcb_shm_completion_event_t *>(ev);
			Win *w = find_by_content(e->drawable);
			if (w && w->pending && w->pending->seg == e->shmseg) {
				PendingAck p = *w->pending;
				w->pending.reset();
				stats_.acks++;
				r = send(w->id, Ack{p.frame, p.buffer_id, p.damage_ts, p.recv_ts, now_ns()});
			}
		} else if (type == XCB_EXPOSE) {
			auto *e = reinterpret_cast<xcb_expose_event_t *>(ev);
			Win *w = find_by_content(e->window);
			if (w && !w->bufs.empty())
				put(*w, w->bufs.back(), Rect{e->x, e->y, e->width, e->height}, false);
		} else if (type == XCB_CONFIGURE_NOTIFY) {
			auto *e = reinterpret_cast<xcb_configure_notify_event_t *>(ev);
			Win *w = find_by_frame(e->window);
			// A move or resize by dom0's window manager: ask the guest.
			// Real events generated before our last configure of the
			// frame are stale (the guest moved it since); a reparenting
			// WM's synthetic event has root coordinates, a real one
			// parent-relative ones.
			bool synthetic = ev->response_type & 0x80;
			if (w && !w->override_redirect &&
			    (synthetic || int16_t(uint16_t(e->sequence - w->config_seq)) >= 0)) {
				int32_t fx = e->x, fy = e->y;
				if (!synthetic) {
					auto *t = xcb_translate_coordinates_reply(
						conn_,
						xcb_translate_coordinates(conn_, w->frame, screen_->root, 0, 0),
						nullptr);
					if (t) {
						fx = t->dst_x;
						fy = t->dst_y;
					}
					free(t);
				}
				if ((e->width != w->fw || e->height != w->fh || fx != w->fx ||
				     fy != w->fy) &&
				    e->width > 2 * cfg_.border && e->height > 2 * cfg_.border) {
					int32_t b = int32_t(cfg_.border);
					uint32_t cw = std::min(e->width - 2 * cfg_.border, kMaxWidth);
					uint32_t ch = std::min(e->height - 2 * cfg_.border, kMaxHeight);
					r = send(w->id,
						 ConfigureRequest{std::clamp(fx + b, -kMaxCoord, kMaxCoord),
								  std::clamp(fy + b, -kMaxCoord, kMaxCoord),
								  cw, ch});
					w->fx = fx;
					w->fy = fy;
					w->fw = e->width;
					w->fh = e->height;
				}
			}
		} else if (type == XCB_CLIENT_MESSAGE) {
			auto *e = reinterpret_cast<xcb_client_message_event_t *>(ev);
			Win *w = find_by_frame(e->window);
			if (w && e->type == atom("WM_PROTOCOLS") && e->format == 32 &&
			    e->data.data32[0] == atom("WM_DELETE_WINDOW"))
				r = send(w->id, CloseRequest{});
		} else if (type == XCB_MAPPING_NOTIFY) {
			clipboard_->on_mapping_notify();
		} else if (type == XCB_FOCUS_IN || type == XCB_FOCUS_OUT) {
			auto *e = reinterpret_cast<xcb_focus_in_event_t *>(ev);
			Win *w = find_by_frame(e->event);
			if (w && e->detail != XCB_NOTIFY_DETAIL_INFERIOR)
				r = send(w->id, Focus{type == XCB_FOCUS_IN});
		}
		free(ev);
		TRY(r);
	}
	return ok();
}

// --- input (Documentation/input.rst)

Result<void> Guid::update_input_link()
{
	if (!input_)
		return ok();
	auto u = input_->update();
	if (!u.ok()) {
		// The AppVM's advertisement is unusable (or changed under us):
		// no input for it until it advertises again.
		fprintf(stderr, "guid[%s]: input: %s\n", cfg_.vm_name.c_str(),
			u.error().message.c_str());
		input_link_.reset();
		return ok();
	}
	if (!u->changed)
		return ok();
	input_link_ = std::move(u->link);
	if (cfg_.verbose)
		fprintf(stderr, "guid[%s]: input ring %s\n", cfg_.vm_name.c_str(),
			input_link_ ? "connected" : "gone");
	if (input_link_ && layout_) {
		auto r = input_link_->producer().layout(*layout_);
		if (!r.ok())
			fprintf(stderr, "guid[%s]: input: %s\n", cfg_.vm_name.c_str(),
				r.error().message.c_str());
		input_dirty_ = true;
	}
	return ok();
}

Result<void> Guid::flush_input()
{
	if (!input_link_ || !input_dirty_)
		return ok();
	input_dirty_ = false;
	auto f = input_link_->producer().flush();
	if (!f.ok())
		return f.error().context("input ring");
	if (*f)
		TRY(input_link_->notify());
	return ok();
}

void Guid::read_xkb_layout()
{
	auto *r = xcb_get_property_reply(
		conn_,
		xcb_get_property(conn_, 0, screen_->root, atom("_XKB_RULES_NAMES"), XCB_ATOM_STRING,
				 0, 1024),
		nullptr);
	if (!r)
		return;
	std::string v(static_cast<const char *>(xcb_get_property_value(r)),
		      size_t(xcb_get_property_value_length(r)));
	bool ok8 = r->format == 8;
	free(r);
	if (!ok8 || v.empty())
		return;
	// "rules\0model\0layout\0variant\0options\0"
	std::vector<std::string> f;
	size_t start = 0;
	while (f.size() < 5 && start <= v.size()) {
		size_t end = v.find('\0', start);
		if (end == std::string::npos)
			end = v.size();
		f.push_back(v.substr(start, end - start));
		start = end + 1;
	}
	f.resize(5);
	input::Layout l{f[0], f[1], f[2], f[3], f[4]};
	if (layout_ && *layout_ == l)
		return;
	if (auto c = input::validate_layout(l); !c.ok()) {
		fprintf(stderr, "guid[%s]: dom0's keyboard layout not forwarded: %s\n",
			cfg_.vm_name.c_str(), c.error().message.c_str());
		return;
	}
	layout_ = l;
	if (cfg_.verbose)
		fprintf(stderr, "guid[%s]: keyboard layout %s/%s/%s/%s/%s\n", cfg_.vm_name.c_str(),
			l.rules.c_str(), l.model.c_str(), l.layout.c_str(), l.variant.c_str(),
			l.options.c_str());
	if (input_link_) {
		(void)input_link_->producer().layout(l);
		input_dirty_ = true;
	}
}

// Key presses and releases on this AppVM's dom0 windows (frame or content:
// the content selects no key events, so they propagate to the frame).
void Guid::on_key(const xcb_key_press_event_t *e, bool press)
{
	Win *w = find_by_frame(e->event);
	if (!w)
		return;
	// The clipboard shortcuts stay in dom0: never forwarded to any AppVM.
	// The modifiers held for one did reach the AppVM: release them there,
	// or the agent's paste keys would arrive as Ctrl-Shift-V (the user's
	// own releases later are dropped by the producer as none of its).
	if (clipboard_->on_key(*e, w->id)) {
		if (input_link_ && press && input_link_->producer().keys_down()) {
			input_link_->producer().release_keys();
			input_dirty_ = true;
		}
		return;
	}
	if (!input_link_)
		return;
	input_link_->producer().key(e->detail, press);
	input_dirty_ = true;
}

void Guid::on_button(const xcb_button_press_event_t *e, bool press)
{
	Win *w = find_by_content(e->event);
	if (!w)
		return;
	int32_t x = w->x + e->event_x, y = w->y + e->event_y;
	auto &p = input_link_->producer();
	if (e->detail >= 4 && e->detail <= 7) {
		// Wheel steps: one scroll event per press, releases ignored.
		if (press) {
			p.motion(x, y);
			p.scroll(e->detail == 6 ? -1 : e->detail == 7 ? 1 : 0,
				 e->detail == 4 ? -1 : e->detail == 5 ? 1 : 0);
		}
	} else {
		p.button(e->detail, press, x, y);
	}
	input_dirty_ = true;
}

void Guid::on_pointer(xcb_window_t window, int16_t ex, int16_t ey, bool crossing, bool enter)
{
	Win *w = find_by_content(window);
	if (!w)
		return;
	int32_t x = w->x + ex, y = w->y + ey;
	if (crossing)
		input_link_->producer().crossing(enter, x, y);
	else
		input_link_->producer().motion(x, y);
	input_dirty_ = true;
}

void Guid::on_focus(bool in)
{
	auto &p = input_link_->producer();
	if (!in)
		p.release_all(); // nothing stays down in an AppVM that lost the keyboard
	p.focus(in);
	input_dirty_ = true;
}

bool Guid::handle_input_event(const xcb_generic_event_t *ev)
{
	uint8_t type = ev->response_type & 0x7f;
	if (type == XCB_PROPERTY_NOTIFY) {
		auto *e = reinterpret_cast<const xcb_property_notify_event_t *>(ev);
		if (e->window != screen_->root)
			return false;
		if (e->atom == atom("_XKB_RULES_NAMES"))
			read_xkb_layout();
		return true;
	}
	bool input = type == XCB_KEY_PRESS || type == XCB_KEY_RELEASE || type == XCB_BUTTON_PRESS ||
		     type == XCB_BUTTON_RELEASE || type == XCB_MOTION_NOTIFY ||
		     type == XCB_ENTER_NOTIFY || type == XCB_LEAVE_NOTIFY;
	// Keys first: the clipboard shortcuts are dom0's with or without a ring.
	if (type == XCB_KEY_PRESS || type == XCB_KEY_RELEASE) {
		on_key(reinterpret_cast<const xcb_key_press_event_t *>(ev), type == XCB_KEY_PRESS);
		return true;
	}
	if (!input_link_) {
		// No ring (yet): the input is dropped, never queued for later.
		return input;
	}
	switch (type) {
	case XCB_BUTTON_PRESS:
	case XCB_BUTTON_RELEASE:
		on_button(reinterpret_cast<const xcb_button_press_event_t *>(ev),
			  type == XCB_BUTTON_PRESS);
		return true;
	case XCB_MOTION_NOTIFY: {
		auto *e = reinterpret_cast<const xcb_motion_notify_event_t *>(ev);
		on_pointer(e->event, e->event_x, e->event_y, false, false);
		return true;
	}
	case XCB_ENTER_NOTIFY:
	case XCB_LEAVE_NOTIFY: {
		auto *e = reinterpret_cast<const xcb_enter_notify_event_t *>(ev);
		on_pointer(e->event, e->event_x, e->event_y, true, type == XCB_ENTER_NOTIFY);
		// Another client grabbed the pointer: our buttons are released
		// as far as the AppVM is concerned (no release will come to us).
		if (type == XCB_LEAVE_NOTIFY && e->mode == XCB_NOTIFY_MODE_GRAB &&
		    input_link_->producer().buttons_down())
			input_link_->producer().release_buttons();
		return true;
	}
	case XCB_FOCUS_IN:
	case XCB_FOCUS_OUT: {
		// Also reported to the agent by handle_x (not consumed here).
		auto *e = reinterpret_cast<const xcb_focus_in_event_t *>(ev);
		if (find_by_frame(e->event) && e->detail != XCB_NOTIFY_DETAIL_INFERIOR)
			on_focus(type == XCB_FOCUS_IN);
		return false;
	}
	default:
		return false;
	}
}

} // namespace bulkhead::gui
