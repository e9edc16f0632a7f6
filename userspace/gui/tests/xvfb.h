// SPDX-License-Identifier: GPL-2.0-only
// Test helpers: a private Xvfb on a free display (it picks one itself with
// -displayfd), an X client connection, and root-window screenshots.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include <xcb/xcb.h>

#include "bulkhead/result.h"

namespace bulkhead::gui::testing {

class Xvfb {
public:
	// Empty if no Xvfb binary is installed (tests then SKIP loudly).
	static std::string binary();
	static Result<Xvfb> start(uint32_t width, uint32_t height);
	Xvfb(Xvfb &&o) noexcept;
	Xvfb &operator=(Xvfb &&) = delete;
	~Xvfb();
	const std::string &display() const { return display_; }

private:
	Xvfb(pid_t pid, std::string display) : pid_(pid), display_(std::move(display)) {}
	pid_t pid_ = -1;
	std::string display_;
};

class XClient {
public:
	explicit XClient(const std::string &display);
	~XClient();
	xcb_connection_t *c() const { return c_; }
	xcb_screen_t *screen() const { return screen_; }
	xcb_atom_t atom(const char *name);

	xcb_window_t create_window(int16_t x, int16_t y, uint16_t w, uint16_t h, const std::string &title,
				   bool override_redirect = false);
	void fill(xcb_window_t w, uint32_t rgb, int16_t x, int16_t y, uint16_t width, uint16_t height);
	// Four quadrants: red, green / blue, white.
	void draw_pattern(xcb_window_t w, uint16_t width, uint16_t height);

	// The whole root as 0xRRGGBB pixels.
	std::vector<uint32_t> screenshot(uint32_t *width = nullptr);
	uint32_t pixel(const std::vector<uint32_t> &shot, int x, int y) const;

	// Top-level windows of this server whose _BULKHEAD_VMNAME is vm.
	std::vector<xcb_window_t> frames_of(const std::string &vm);
	std::string string_property(xcb_window_t w, xcb_atom_t prop);
	bool viewable(xcb_window_t w);
	bool geometry(xcb_window_t w, int *x, int *y, int *width, int *height);

private:
	xcb_connection_t *c_;
	xcb_screen_t *screen_;
	xcb_gcontext_t gc_;
};

} // namespace bulkhead::gui::testing
