// SPDX-License-Identifier: GPL-2.0-only
#include "xvfb.h"
#include "bulkhead/gui/xcb_atom.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bulkhead::gui::testing {

std::string Xvfb::binary()
{
	for (const char *p : {"/usr/bin/Xvfb", "/usr/local/bin/Xvfb"})
		if (access(p, X_OK) == 0)
			return p;
	return "";
}

Result<Xvfb> Xvfb::start(uint32_t width, uint32_t height)
{
	std::string bin = binary();
	if (bin.empty())
		return err("Xvfb not installed");
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return Error::from_errno("pipe", errno);
	std::string screen = std::to_string(width) + "x" + std::to_string(height) + "x24";
	pid_t pid = fork();
	if (pid < 0)
		return Error::from_errno("fork", errno);
	if (pid == 0) {
		dup2(pfd[1], 9); // clears CLOEXEC on 9
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execl(bin.c_str(), "Xvfb", "-displayfd", "9", "-screen", "0", screen.c_str(),
		      "-nolisten", "tcp", "-noreset", "-extension", "GLX", nullptr);
		_exit(127);
	}
	close(pfd[1]);
	std::string out;
	pollfd p{pfd[0], POLLIN, 0};
	while (out.find('\n') == std::string::npos && poll(&p, 1, 20000) > 0) {
		char buf[32];
		ssize_t n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		out.append(buf, size_t(n));
	}
	close(pfd[0]);
	if (out.find('\n') == std::string::npos) {
		kill(pid, SIGKILL);
		waitpid(pid, nullptr, 0);
		return err("Xvfb did not start");
	}
	out.resize(out.find('\n'));
	return Xvfb(pid, ":" + out);
}

Xvfb::Xvfb(Xvfb &&o) noexcept : pid_(std::exchange(o.pid_, -1)), display_(std::move(o.display_)) {}

Xvfb::~Xvfb()
{
	if (pid_ <= 0)
		return;
	kill(pid_, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(pid_, nullptr, WNOHANG) == pid_)
			return;
		usleep(10000);
	}
	kill(pid_, SIGKILL);
	waitpid(pid_, nullptr, 0);
}

XClient::XClient(const std::string &display)
{
	c_ = xcb_connect(display.c_str(), nullptr);
	screen_ = xcb_setup_roots_iterator(xcb_get_setup(c_)).data;
	gc_ = xcb_generate_id(c_);
	uint32_t v[] = {0};
	xcb_create_gc(c_, gc_, screen_->root, XCB_GC_GRAPHICS_EXPOSURES, v);
}

XClient::~XClient() { xcb_disconnect(c_); }

xcb_atom_t XClient::atom(const char *name)
{
	return intern_atom(c_, name);
}

xcb_window_t XClient::create_window(int16_t x, int16_t y, uint16_t w, uint16_t h,
				    const std::string &title, bool override_redirect)
{
	xcb_window_t win = xcb_generate_id(c_);
	uint32_t v[] = {0x000000, override_redirect ? 1u : 0u};
	xcb_create_window(c_, XCB_COPY_FROM_PARENT, win, screen_->root, x, y, w, h, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, XCB_COPY_FROM_PARENT,
			  XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT, v);
	xcb_change_property(c_, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    uint32_t(title.size()), title.data());
	xcb_flush(c_);
	return win;
}

void XClient::fill(xcb_window_t w, uint32_t rgb, int16_t x, int16_t y, uint16_t width,
		   uint16_t height)
{
	uint32_t v[] = {rgb};
	xcb_change_gc(c_, gc_, XCB_GC_FOREGROUND, v);
	xcb_rectangle_t r{x, y, width, height};
	xcb_poly_fill_rectangle(c_, w, gc_, 1, &r);
}

void XClient::draw_pattern(xcb_window_t w, uint16_t width, uint16_t height)
{
	uint16_t hw = width / 2, hh = height / 2;
	fill(w, 0xff0000, 0, 0, hw, hh);
	fill(w, 0x00ff00, int16_t(hw), 0, uint16_t(width - hw), hh);
	fill(w, 0x0000ff, 0, int16_t(hh), hw, uint16_t(height - hh));
	fill(w, 0xffffff, int16_t(hw), int16_t(hh), uint16_t(width - hw), uint16_t(height - hh));
	xcb_flush(c_);
}

std::vector<uint32_t> XClient::screenshot(uint32_t *width)
{
	uint16_t w = screen_->width_in_pixels, h = screen_->height_in_pixels;
	auto *r = xcb_get_image_reply(
		c_, xcb_get_image(c_, XCB_IMAGE_FORMAT_Z_PIXMAP, screen_->root, 0, 0, w, h, ~0u),
		nullptr);
	std::vector<uint32_t> px(size_t(w) * h);
	if (r && size_t(xcb_get_image_data_length(r)) >= px.size() * 4) {
		memcpy(px.data(), xcb_get_image_data(r), px.size() * 4);
		for (auto &p : px)
			p &= 0xffffff;
	}
	free(r);
	if (width)
		*width = w;
	return px;
}

uint32_t XClient::pixel(const std::vector<uint32_t> &shot, int x, int y) const
{
	int w = screen_->width_in_pixels, h = screen_->height_in_pixels;
	if (x < 0 || y < 0 || x >= w || y >= h)
		return 0xdeadbeef;
	return shot[size_t(y) * size_t(w) + size_t(x)];
}

std::string XClient::string_property(xcb_window_t w, xcb_atom_t prop)
{
	auto *r = xcb_get_property_reply(
		c_, xcb_get_property(c_, 0, w, prop, XCB_GET_PROPERTY_TYPE_ANY, 0, 4096), nullptr);
	std::string s;
	if (r && r->format == 8)
		s.assign(static_cast<const char *>(xcb_get_property_value(r)),
			 size_t(xcb_get_property_value_length(r)));
	free(r);
	return s;
}

std::vector<xcb_window_t> XClient::frames_of(const std::string &vm)
{
	std::vector<xcb_window_t> out;
	auto *t = xcb_query_tree_reply(c_, xcb_query_tree(c_, screen_->root), nullptr);
	if (!t)
		return out;
	xcb_atom_t a = atom("_BULKHEAD_VMNAME");
	auto *kids = xcb_query_tree_children(t);
	for (int i = 0; i < xcb_query_tree_children_length(t); i++)
		if (string_property(kids[i], a) == vm)
			out.push_back(kids[i]);
	free(t);
	return out;
}

bool XClient::viewable(xcb_window_t w)
{
	auto *r = xcb_get_window_attributes_reply(c_, xcb_get_window_attributes(c_, w), nullptr);
	bool v = r && r->map_state == XCB_MAP_STATE_VIEWABLE;
	free(r);
	return v;
}

bool XClient::geometry(xcb_window_t w, int *x, int *y, int *width, int *height)
{
	auto *r = xcb_get_geometry_reply(c_, xcb_get_geometry(c_, w), nullptr);
	if (!r)
		return false;
	*x = r->x, *y = r->y, *width = r->width, *height = r->height;
	free(r);
	return true;
}

} // namespace bulkhead::gui::testing
