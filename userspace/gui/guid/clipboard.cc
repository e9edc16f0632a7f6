// SPDX-License-Identifier: GPL-2.0-only
#include "clipboard.h"
#include "bulkhead/gui/xcb_atom.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>

extern char **environ;

namespace bulkhead::gui {
namespace {

constexpr size_t kMaxPendingPastes = 16;

std::string trim(std::string_view s)
{
	size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
	return a == std::string_view::npos ? "" : std::string(s.substr(a, b - a + 1));
}

Result<uint32_t> parse_u32(const std::string &k, const std::string &v, uint32_t min, uint32_t max)
{
	char *end = nullptr;
	errno = 0;
	unsigned long n = strtoul(v.c_str(), &end, 10);
	if (v.empty() || *end || errno || n < min || n > max)
		return err(k + ": not a number in " + std::to_string(min) + ".." + std::to_string(max));
	return uint32_t(n);
}

Result<bool> parse_bool(const std::string &k, const std::string &v)
{
	if (v == "yes" || v == "true" || v == "1" || v == "on")
		return true;
	if (v == "no" || v == "false" || v == "0" || v == "off")
		return false;
	return err(k + ": want yes or no");
}

std::string what(uint32_t format, size_t size)
{
	return std::to_string(size) + " bytes of " +
	       (format == kClipPng ? std::string("PNG image") : std::string("text"));
}

// Reaps notify-command children without blocking.
void reap()
{
	while (waitpid(-1, nullptr, WNOHANG) > 0) {
	}
}

} // namespace

Result<void> parse_clipboard_config(std::string_view text, ClipboardConfig &cfg)
{
	std::istringstream in{std::string(text)};
	std::string line;
	for (int n = 1; std::getline(in, line); n++) {
		std::string l = trim(line);
		if (l.empty() || l[0] == '#')
			continue;
		size_t eq = l.find('=');
		auto bad = [&](const std::string &why) {
			return err("clipboard config line " + std::to_string(n) + ": " + why);
		};
		if (eq == std::string::npos)
			return bad("want key = value");
		std::string k = trim(l.substr(0, eq)), v = trim(l.substr(eq + 1));
		Result<void> r = ok();
		if (k == "copy-key") {
			if (auto s = parse_shortcut(v); !s.ok())
				return bad(s.error().message);
			cfg.copy_key = v;
		} else if (k == "paste-key") {
			if (auto s = parse_shortcut(v); !s.ok())
				return bad(s.error().message);
			cfg.paste_key = v;
		} else if (k == "dir") {
			cfg.store_dir = v;
		} else if (k == "policy") {
			cfg.policy_path = v;
		} else if (k == "max-bytes") {
			auto x = parse_u32(k, v, 1, kMaxClipboardTotal);
			if (!x.ok())
				return bad(x.error().message);
			cfg.limit = *x;
		} else if (k == "one-shot") {
			auto x = parse_bool(k, v);
			if (!x.ok())
				return bad(x.error().message);
			cfg.one_shot = *x;
		} else if (k == "notify-command") {
			cfg.notify_command = v;
		} else if (k == "notify-seconds") {
			auto x = parse_u32(k, v, 0, 60);
			if (!x.ok())
				return bad(x.error().message);
			cfg.notify_seconds = *x;
		} else {
			return bad("unknown key '" + k + "'");
		}
	}
	return ok();
}

Result<void> load_clipboard_config(const std::string &path, ClipboardConfig &cfg)
{
	std::ifstream f(path);
	if (!f)
		return err("cannot read " + path);
	std::stringstream ss;
	ss << f.rdbuf();
	auto r = parse_clipboard_config(ss.str(), cfg);
	if (!r.ok())
		return r.error().context(path);
	return ok();
}

GuidClipboard::GuidClipboard(ClipboardConfig cfg, std::string vm, Label label,
			     xcb_connection_t *conn, xcb_screen_t *screen, Sender send)
    : cfg_(std::move(cfg)), vm_(std::move(vm)), label_(std::move(label)), conn_(conn),
      screen_(screen), send_(std::move(send))
{
}

GuidClipboard::~GuidClipboard()
{
	for (const Notice &n : notices_) {
		xcb_destroy_window(conn_, n.win);
		xcb_free_pixmap(conn_, n.pix);
	}
}

Result<std::unique_ptr<GuidClipboard>> GuidClipboard::create(ClipboardConfig cfg, std::string vm,
							     Label label, xcb_connection_t *conn,
							     xcb_screen_t *screen, Sender send)
{
	if (cfg.limit == 0 || cfg.limit > kMaxClipboardTotal)
		return err("clipboard limit must be 1.." + std::to_string(kMaxClipboardTotal) + " bytes");
	TRY_ASSIGN(Shortcut c, parse_shortcut(cfg.copy_key));
	TRY_ASSIGN(Shortcut p, parse_shortcut(cfg.paste_key));
	if (c.mods == p.mods && c.keysym == p.keysym)
		return err("clipboard: copy and paste shortcuts are the same");
	std::unique_ptr<GuidClipboard> g(new GuidClipboard(std::move(cfg), std::move(vm),
							   std::move(label), conn, screen,
							   std::move(send)));
	g->copy_key_ = c;
	g->paste_key_ = p;
	if (g->cfg_.enabled) {
		// Without its store the clipboard is off, not the GUI: the
		// shortcuts are still taken, and say why nothing happens.
		auto st = ClipStore::open(g->cfg_.store_dir);
		if (st.ok())
			g->store_.emplace(std::move(st).value());
		else
			g->store_error_ = st.error().message;
		if (!g->store_error_.empty())
			fprintf(stderr, "guid[%s]: clipboard store unusable: %s\n", g->vm_.c_str(),
				g->store_error_.c_str());
	}
	g->load_keymap();
	return g;
}

xcb_atom_t GuidClipboard::atom(const char *name)
{
	return intern_atom(conn_, name);
}

void GuidClipboard::load_keymap()
{
	const xcb_setup_t *setup = xcb_get_setup(conn_);
	uint8_t count = uint8_t(setup->max_keycode - setup->min_keycode + 1);
	auto *r = xcb_get_keyboard_mapping_reply(
		conn_, xcb_get_keyboard_mapping(conn_, setup->min_keycode, count), nullptr);
	if (!r)
		return;
	const xcb_keysym_t *k = xcb_get_keyboard_mapping_keysyms(r);
	int n = xcb_get_keyboard_mapping_keysyms_length(r);
	keymap_ = Keymap(setup->min_keycode, r->keysyms_per_keycode, std::vector<uint32_t>(k, k + n));
	free(r);
}

void GuidClipboard::on_mapping_notify() { load_keymap(); }

bool GuidClipboard::on_key(const xcb_key_press_event_t &e, uint32_t guest_window)
{
	if (!cfg_.enabled)
		return false;
	bool press = (e.response_type & 0x7f) == XCB_KEY_PRESS;
	if (!press) {
		// The release of a key whose press we took stays in dom0 too.
		return swallowed_.erase(e.detail) != 0;
	}
	// Auto-repeat of a shortcut held down: taken, not acted on again.
	if (swallowed_.count(e.detail))
		return true;
	bool is_copy = keymap_.matches(copy_key_, e.detail, e.state);
	bool is_paste = !is_copy && keymap_.matches(paste_key_, e.detail, e.state);
	if (!is_copy && !is_paste)
		return false;
	swallowed_.insert(e.detail);
	if (!store_) {
		notify("Clipboard unavailable: " + store_error_);
		return true;
	}
	if (is_copy)
		copy();
	else
		paste(guest_window);
	return true;
}

void GuidClipboard::copy()
{
	if (pending_copy_) {
		if (std::chrono::steady_clock::now() < copy_deadline_) {
			notify("Copy from " + vm_ + ": still waiting for the previous one");
			return;
		}
		// Give up on it: its answer, if it ever comes, is drained.
		abandoned_ = incoming_.active() ? 0 : pending_copy_; // replied already?
		draining_ = incoming_;
		incoming_.reset();
	}
	pending_copy_ = ++next_id_ ? next_id_ : ++next_id_;
	copy_deadline_ = std::chrono::steady_clock::now() + cfg_.copy_timeout;
	send_(ClipboardRequest{pending_copy_, cfg_.limit});
}

void GuidClipboard::paste(uint32_t guest_window)
{
	if (pending_pastes_.size() >= kMaxPendingPastes) {
		notify("Paste into " + vm_ + " refused: its agent has not answered earlier pastes");
		return;
	}
	ClipPolicy policy = ClipPolicy::allow_all();
	std::string policy_error;
	if (auto p = ClipPolicy::load(cfg_.policy_path); p.ok())
		policy = std::move(p).value();
	else
		policy_error = p.error().message;
	ClipDecision d;
	bool over = false;
	auto taken = store_->take(
		[&](const ClipEntry &e) {
			if (!policy_error.empty())
				return false;
			d = policy.decide(e.source_vm, e.source_label, vm_, label_.name);
			over = e.data.size() > cfg_.limit;
			return d.allow && !over;
		},
		cfg_.one_shot);
	if (!taken.ok()) {
		notify("Paste into " + vm_ + " failed: " + taken.error().message);
		return;
	}
	if (!*taken) {
		notify("Nothing to paste into " + vm_ + ": the dom0 clipboard is empty");
		return;
	}
	const ClipEntry &e = **taken;
	std::string from = e.source_vm + " (" + e.source_label + ")";
	if (!policy_error.empty()) {
		notify("Paste from " + from + " into " + vm_ + " denied: " + policy_error);
		return;
	}
	if (!d.allow) {
		notify("Paste from " + from + " into " + vm_ + " (" + label_.name + ") denied by " + d.why);
		return;
	}
	if (over) {
		notify("Paste into " + vm_ + " refused: " + what(e.format, e.data.size()) +
		       " is over the limit of " + std::to_string(cfg_.limit) + " bytes");
		return;
	}
	uint32_t id = ++next_id_ ? next_id_ : ++next_id_;
	// Said once the agent confirms (paste-result).
	pending_pastes_[id] = "Pasted " + what(e.format, e.data.size()) + " from " + from + " into " +
			      vm_ + (cfg_.one_shot ? "; dom0 copy cleared" : "");
	send_(ClipboardPaste{id, e.format, uint32_t(e.data.size()), guest_window});
	for (std::string_view c : split_chunks(e.data))
		send_(PasteChunk{id, std::string(c)});
}

Result<void> GuidClipboard::on_message(const GuestBody &b)
{
	if (const auto *r = std::get_if<ClipboardReply>(&b); r && abandoned_ && r->id == abandoned_) {
		abandoned_ = 0;
		if (r->status == ClipStatus::kData) {
			if (r->size > cfg_.limit)
				return err("clipboard-reply: " + std::to_string(r->size) +
					   " bytes announced, over the " + std::to_string(cfg_.limit) +
					   " asked for");
			TRY(draining_.begin(r->id, r->format, r->size, cfg_.limit));
		}
		return ok();
	}
	if (const auto *c = std::get_if<ClipboardChunk>(&b);
	    c && draining_.active() && c->id == draining_.id()) {
		TRY_ASSIGN(bool done, draining_.add(c->id, c->bytes));
		if (done)
			(void)draining_.take();
		return ok();
	}
	if (const auto *r = std::get_if<ClipboardReply>(&b)) {
		if (!pending_copy_ || r->id != pending_copy_ || incoming_.active())
			return err("clipboard-reply: request " + std::to_string(r->id) +
				   " is not pending");
		switch (r->status) {
		case ClipStatus::kData:
			// Checked against our limit before any byte is accepted.
			if (r->size > cfg_.limit)
				return err("clipboard-reply: " + std::to_string(r->size) +
					   " bytes announced, over the " + std::to_string(cfg_.limit) +
					   " asked for");
			TRY(incoming_.begin(r->id, r->format, r->size, cfg_.limit));
			return ok();
		case ClipStatus::kEmpty:
			notify("Nothing to copy in " + vm_ + ": its clipboard is empty");
			break;
		case ClipStatus::kTooLarge:
			notify("Copy from " + vm_ + " refused: " + std::to_string(r->size) +
			       " bytes or more, over the limit of " + std::to_string(cfg_.limit) +
			       " bytes");
			break;
		case ClipStatus::kUnavailable:
			notify("Copy from " + vm_ + " failed: no text or PNG image in its clipboard");
			break;
		}
		pending_copy_ = 0;
		return ok();
	}
	if (const auto *c = std::get_if<ClipboardChunk>(&b)) {
		TRY_ASSIGN(bool done, incoming_.add(c->id, c->bytes));
		if (!done)
			return ok();
		ClipEntry e;
		e.source_vm = vm_;
		e.source_label = label_.name;
		e.time = int64_t(::time(nullptr));
		e.format = incoming_.format();
		e.data = incoming_.take();
		pending_copy_ = 0;
		auto r = store_->put(e);
		if (!r.ok())
			notify("Copy from " + vm_ + " failed: " + r.error().message);
		else
			notify("Copied " + what(e.format, e.data.size()) + " from " + vm_ +
			       " to the dom0 clipboard");
		return ok();
	}
	if (const auto *p = std::get_if<PasteResult>(&b)) {
		auto it = pending_pastes_.find(p->id);
		if (it == pending_pastes_.end())
			return err("paste-result: paste " + std::to_string(p->id) + " is not pending");
		std::string done = std::move(it->second);
		pending_pastes_.erase(it);
		switch (p->status) {
		case PasteStatus::kPasted:
			notify(done);
			break;
		case PasteStatus::kBadText:
			notify("Paste into " + vm_ + " refused by its agent: the text is not valid UTF-8");
			break;
		case PasteStatus::kBadImage:
			notify("Paste into " + vm_ + " refused by its agent: not a well-formed PNG image");
			break;
		case PasteStatus::kFailed:
			notify("Paste into " + vm_ + " failed in the AppVM (selection or keys)");
			break;
		}
		return ok();
	}
	return ok();
}

void GuidClipboard::notify(const std::string &msg)
{
	last_notice_ = msg;
	fprintf(stderr, "guid[%s]: clipboard: %s\n", vm_.c_str(), msg.c_str());
	if (!cfg_.notify_command.empty()) {
		reap();
		std::string summary = "Bulkhead clipboard";
		char *argv[] = {cfg_.notify_command.data(), summary.data(),
				const_cast<char *>(msg.c_str()), nullptr};
		pid_t pid;
		if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv, environ) != 0)
			fprintf(stderr, "guid[%s]: clipboard: cannot run %s\n", vm_.c_str(), argv[0]);
	}
	if (cfg_.notify_seconds == 0)
		return;
	// A small override-redirect dom0 window at the top of the screen whose
	// background pixmap carries the text (no Expose handling needed).
	// Messages are dom0's own text (VM names are [A-Za-z0-9_.-]).
	std::string text = msg.substr(0, 160);
	uint16_t w = uint16_t(std::min<size_t>(screen_->width_in_pixels, 12 + 6 * text.size()));
	uint16_t h = 24;
	xcb_font_t font = xcb_generate_id(conn_);
	xcb_open_font(conn_, font, 5, "fixed");
	xcb_pixmap_t pix = xcb_generate_id(conn_);
	xcb_create_pixmap(conn_, screen_->root_depth, pix, screen_->root, w, h);
	xcb_gcontext_t gc = xcb_generate_id(conn_);
	uint32_t gv[] = {screen_->black_pixel, screen_->white_pixel, font, 0};
	xcb_create_gc(conn_, gc, pix,
		      XCB_GC_FOREGROUND | XCB_GC_BACKGROUND | XCB_GC_FONT | XCB_GC_GRAPHICS_EXPOSURES,
		      gv);
	xcb_rectangle_t all = {0, 0, w, h};
	uint32_t fg[] = {screen_->white_pixel};
	xcb_change_gc(conn_, gc, XCB_GC_FOREGROUND, fg);
	xcb_poly_fill_rectangle(conn_, pix, gc, 1, &all);
	uint32_t bg[] = {screen_->black_pixel};
	xcb_change_gc(conn_, gc, XCB_GC_FOREGROUND, bg);
	std::string latin = text;
	for (char &c : latin)
		if (static_cast<unsigned char>(c) >= 0x80 || c < 0x20)
			c = '?';
	xcb_image_text_8(conn_, uint8_t(std::min<size_t>(latin.size(), 255)), pix, gc, 6, 16,
			 latin.c_str());
	xcb_free_gc(conn_, gc);
	xcb_close_font(conn_, font);

	xcb_window_t win = xcb_generate_id(conn_);
	int16_t y = int16_t(4 + 28 * (notices_.size() % 8));
	uint32_t vals[] = {pix, 0, 1};
	xcb_create_window(conn_, XCB_COPY_FROM_PARENT, win, screen_->root,
			  int16_t((screen_->width_in_pixels - w) / 2), y, w, h, 1,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT,
			  XCB_CW_BACK_PIXMAP | XCB_CW_BORDER_PIXEL | XCB_CW_OVERRIDE_REDIRECT, vals);
	std::string title = "Bulkhead clipboard";
	xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    uint32_t(title.size()), title.data());
	xcb_change_property(conn_, XCB_PROP_MODE_REPLACE, win, atom("_BULKHEAD_NOTIFICATION"),
			    atom("UTF8_STRING"), 8, uint32_t(msg.size()), msg.data());
	xcb_map_window(conn_, win);
	xcb_flush(conn_);
	notices_.push_back(
		Notice{win, pix, std::chrono::steady_clock::now() + std::chrono::seconds(cfg_.notify_seconds)});
}

int GuidClipboard::timeout_ms() const
{
	if (notices_.empty())
		return -1;
	auto first = notices_.front().expires;
	for (const Notice &n : notices_)
		first = std::min(first, n.expires);
	auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
		first - std::chrono::steady_clock::now());
	return int(std::max<int64_t>(0, left.count() + 1));
}

void GuidClipboard::tick()
{
	auto now = std::chrono::steady_clock::now();
	for (auto it = notices_.begin(); it != notices_.end();) {
		if (it->expires <= now) {
			xcb_destroy_window(conn_, it->win);
			xcb_free_pixmap(conn_, it->pix);
			it = notices_.erase(it);
		} else {
			++it;
		}
	}
}

} // namespace bulkhead::gui
