// SPDX-License-Identifier: GPL-2.0-only
// Host integration test of the GUI path: a real Xvfb as dom0's X server, a
// second Xvfb as the AppVM's, bulkhead-guid and bulkhead-agent (the same
// classes the binaries run) connected by a socketpair, buffers from the
// memfd stand-in for gntfb grants, and X clients drawing known patterns.
// A hostile agent (this test writing raw messages) must be dropped with the
// documented reason while another AppVM keeps being served.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "agent.h"
#include "bulkhead/gui/channel.h"
#include "guid.h"
#include "runner.h"
#include "xvfb.h"

#include <xcb/xfixes.h>
#include <xcb/xtest.h>

#include "consumer.h"

namespace bulkhead::gui {
namespace {

using testing::eventually;
using testing::Runner;
using testing::XClient;
using testing::Xvfb;
using namespace std::chrono_literals;

constexpr uint32_t kBlue = 0x3465a4;
constexpr uint32_t kRed = 0xcc0000;
constexpr int kBorder = 3;

void xcb_aux_sync_(xcb_connection_t *c)
{
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), nullptr));
}

void xcb_xfixes_query_version_reply_free_(xcb_connection_t *c)
{
	free(xcb_xfixes_query_version_reply(c, xcb_xfixes_query_version(c, 4, 0), nullptr));
}

// A channel that, like a vchan, wakes its reader once per notification
// (an eventfd the test signals) rather than while data is left. Messages
// come from a queue the test fills; what guid sends is dropped.
class OneWakeupChannel final : public Channel {
public:
	explicit OneWakeupChannel(int efd, int max_wait_ms = -1) : efd_(efd), max_wait_(max_wait_ms) {}
	void push(std::vector<uint8_t> m)
	{
		std::lock_guard<std::mutex> l(mu_);
		in_.push_back(std::move(m));
	}
	// The peer is gone, and says nothing: receive() fails from now on
	// (as the vchan's does once its death check has seen the domain go).
	void die()
	{
		std::lock_guard<std::mutex> l(mu_);
		dead_ = true;
	}
	Result<void> send(std::span<const uint8_t>) override { return ok(); }
	Result<bool> flush() override { return true; }
	Result<std::optional<std::vector<uint8_t>>> receive() override
	{
		uint64_t v;
		(void)!read(efd_, &v, sizeof(v)); // consume the notification
		std::lock_guard<std::mutex> l(mu_);
		if (dead_)
			return err("peer domain died");
		if (in_.empty())
			return std::optional<std::vector<uint8_t>>();
		auto m = std::move(in_.front());
		in_.pop_front();
		return std::optional<std::vector<uint8_t>>(std::move(m));
	}
	int poll_fd() const override { return efd_; }
	bool wants_write() const override { return false; }
	int max_wait_ms() const override { return max_wait_; }

private:
	std::mutex mu_;
	std::deque<std::vector<uint8_t>> in_;
	bool dead_ = false;
	int efd_;
	int max_wait_;
};

class GuiIntegration : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		if (Xvfb::binary().empty())
			return;
		auto d = Xvfb::start(1024, 768);
		auto g = Xvfb::start(800, 600);
		if (d.ok())
			dom0_ = new Xvfb(std::move(d).value());
		if (g.ok())
			guest_ = new Xvfb(std::move(g).value());
	}
	static void TearDownTestSuite()
	{
		delete dom0_;
		delete guest_;
		dom0_ = guest_ = nullptr;
	}
	void SetUp() override
	{
		if (Xvfb::binary().empty()) {
			if (getenv("CI"))
				FAIL() << "Xvfb is not installed (make deps installs xvfb)";
			GTEST_SKIP() << "SKIP: Xvfb is not installed; run 'make deps'";
		}
		ASSERT_TRUE(dom0_ && guest_) << "Xvfb failed to start";
		registry_ = std::make_shared<MemfdBufferRegistry>();
	}

	// guid's configuration for VM on the dom0 Xvfb, defaults otherwise.
	static GuidConfig plain_config(const std::string &vm, const char *label)
	{
		GuidConfig cfg;
		cfg.vm_name = vm;
		cfg.label = parse_label(label).value();
		cfg.domid = 7;
		cfg.display = dom0_->display();
		return cfg;
	}

	// guid for CFG on CH (messages queued already), running, woken once.
	// The runner stops before the guid is destroyed.
	std::pair<std::unique_ptr<Guid>, std::unique_ptr<Runner>>
	run_woken(const GuidConfig &cfg, std::unique_ptr<OneWakeupChannel> ch, int efd)
	{
		auto g = Guid::create(cfg, std::move(ch), memfd_importer(registry_));
		EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().message);
		if (!g.ok())
			return {};
		auto guid = std::move(g).value();
		auto runner = std::make_unique<Runner>(guid.get());
		uint64_t one = 1;
		EXPECT_EQ(write(efd, &one, sizeof(one)), ssize_t(sizeof(one)));
		return {std::move(guid), std::move(runner)};
	}

	std::unique_ptr<Guid> make_guid(const std::string &vm, const char *label, unique_fd end,
					uint32_t max_windows = kMaxWindows,
					std::unique_ptr<InputConnector> input = nullptr)
	{
		GuidConfig cfg = plain_config(vm, label);
		cfg.border = kBorder;
		cfg.max_windows = max_windows;
		cfg.clipboard.enabled = false; // clipboard_integration_test covers it
		auto ch = socket_channel(std::move(end), kMaxMessageSize);
		EXPECT_TRUE(ch.ok());
		auto g = Guid::create(cfg, std::move(ch).value(), memfd_importer(registry_),
				      std::move(input));
		EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().message);
		return g.ok() ? std::move(g).value() : nullptr;
	}

	std::unique_ptr<Agent> make_agent(unique_fd end,
					  std::function<void(const FrameRecord &)> on_frame = {})
	{
		AgentConfig cfg;
		cfg.display = guest_->display();
		cfg.frame_interval = 5ms;
		cfg.on_frame = std::move(on_frame);
		auto ch = socket_channel(std::move(end), kMaxMessageSize);
		EXPECT_TRUE(ch.ok());
		auto reg = registry_;
		auto a = Agent::create(cfg, std::move(ch).value(), [reg](xcb_connection_t *c) {
			return copy_buffer_source(c, reg);
		});
		EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
		return a.ok() ? std::move(a).value() : nullptr;
	}

	// The pattern of draw_pattern() at content origin (x, y), size w x h,
	// framed by `label` on dom0's screen.
	static bool shows_pattern(XClient &dom0, int x, int y, int w, int h, uint32_t label,
				  std::string *why = nullptr)
	{
		auto shot = dom0.screenshot();
		struct P {
			int x, y;
			uint32_t want;
		} checks[] = {
			{x + 2, y + 2, 0xff0000},
			{x + w / 2 - 2, y + h / 2 - 2, 0xff0000},
			{x + w - 3, y + 2, 0x00ff00},
			{x + 2, y + h - 3, 0x0000ff},
			{x + w - 3, y + h - 3, 0xffffff},
			{x - 1, y - 1, label},
			{x - kBorder, y + h / 2, label},
			{x + w + kBorder - 1, y + h + kBorder - 1, label},
			{x + w / 2, y - kBorder, label},
		};
		for (const P &p : checks) {
			uint32_t got = dom0.pixel(shot, p.x, p.y);
			if (got != p.want) {
				if (why) {
					char buf[96];
					snprintf(buf, sizeof(buf), "pixel (%d,%d) is %06x, want %06x", p.x,
						 p.y, got, p.want);
					*why = buf;
				}
				return false;
			}
		}
		return true;
	}

	static Xvfb *dom0_, *guest_;
	std::shared_ptr<MemfdBufferRegistry> registry_;
};

Xvfb *GuiIntegration::dom0_ = nullptr;
Xvfb *GuiIntegration::guest_ = nullptr;

TEST_F(GuiIntegration, WindowMirroredFramedAndTitled)
{
	auto [a, b] = seqpacket_pair().value();
	auto guid = make_guid("work", "blue", std::move(a));
	ASSERT_TRUE(guid);
	Runner rg(guid.get()); // the agent waits for its welcome
	auto agent = make_agent(std::move(b));
	ASSERT_TRUE(agent);
	Runner ra(agent.get());

	XClient app(guest_->display()), dom0(dom0_->display());
	xcb_window_t win = app.create_window(60, 50, 160, 100, "pattern");
	xcb_map_window(app.c(), win);
	app.draw_pattern(win, 160, 100);

	std::string why;
	ASSERT_TRUE(eventually([&] { return shows_pattern(dom0, 60, 50, 160, 100, kBlue, &why); }))
		<< why;
	auto frames = dom0.frames_of("work");
	ASSERT_EQ(frames.size(), 1u);
	xcb_window_t frame = frames[0];
	EXPECT_EQ(dom0.string_property(frame, XCB_ATOM_WM_NAME), "[work] pattern");
	EXPECT_EQ(dom0.string_property(frame, dom0.atom("_NET_WM_NAME")), "[work] pattern");
	EXPECT_EQ(dom0.string_property(frame, dom0.atom("_BULKHEAD_LABEL")), "blue");

	// Title change.
	std::string t = "renamed \xc3\xa9";
	xcb_change_property(app.c(), XCB_PROP_MODE_REPLACE, win, app.atom("_NET_WM_NAME"),
			    app.atom("UTF8_STRING"), 8, uint32_t(t.size()), t.data());
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] {
		return dom0.string_property(frame, XCB_ATOM_WM_NAME) == "[work] renamed \xc3\xa9";
	}));

	// Move and resize: the frame follows, the new contents show.
	uint32_t geo[] = {200, 150, 120, 80};
	xcb_configure_window(app.c(), win,
			     XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
				     XCB_CONFIG_WINDOW_HEIGHT,
			     geo);
	app.draw_pattern(win, 120, 80);
	EXPECT_TRUE(eventually([&] {
		int x, y, w, h;
		return dom0.geometry(frame, &x, &y, &w, &h) && x == 200 - kBorder &&
		       y == 150 - kBorder && w == 120 + 2 * kBorder && h == 80 + 2 * kBorder;
	}));
	EXPECT_TRUE(eventually([&] { return shows_pattern(dom0, 200, 150, 120, 80, kBlue, &why); }))
		<< why;

	// Redraw in another colour: damage is mirrored.
	app.fill(win, 0xffff00, 0, 0, 120, 80);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] {
		auto s = dom0.screenshot();
		return dom0.pixel(s, 210, 160) == 0xffff00 && dom0.pixel(s, 310, 220) == 0xffff00;
	}));

	// Unmap, map, destroy.
	xcb_unmap_window(app.c(), win);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return !dom0.viewable(frame); }));
	xcb_map_window(app.c(), win);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return dom0.viewable(frame); }));
	xcb_destroy_window(app.c(), win);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return dom0.frames_of("work").empty(); }));

	rg.stop();
	ra.stop();
	auto st = agent->stats();
	EXPECT_GT(st.frames_acked, 0u);
	if (st.frames_acked)
		printf("frames acked %llu, round trip avg %.3f ms, max %.3f ms\n",
		       (unsigned long long)st.frames_acked, st.sum_rtt_ns / 1e6 / double(st.frames_acked),
		       st.max_rtt_ns / 1e6);
	agent.reset();
	guid.reset();
	EXPECT_EQ(registry_->live(), 0u) << "buffers leaked";
}

// The agent's frame log (--frame-log): one record per acked frame, with
// the damage's area and the channel's byte counters, which grow by a few
// dozen bytes per frame however many pixels changed.
TEST_F(GuiIntegration, FrameRecordsCountFramesAndChannelBytes)
{
	std::mutex mu;
	std::vector<FrameRecord> recs;
	auto [a, b] = seqpacket_pair().value();
	auto guid = make_guid("work", "blue", std::move(a));
	ASSERT_TRUE(guid);
	Runner rg(guid.get());
	auto agent = make_agent(std::move(b), [&](const FrameRecord &r) {
		std::lock_guard l(mu);
		recs.push_back(r);
	});
	ASSERT_TRUE(agent);
	Runner ra(agent.get());
	XClient app(guest_->display()), dom0(dom0_->display());
	xcb_window_t win = app.create_window(20, 20, 200, 150, "frames");
	xcb_map_window(app.c(), win);
	app.draw_pattern(win, 200, 150);
	std::string why;
	ASSERT_TRUE(eventually([&] { return shows_pattern(dom0, 20, 20, 200, 150, kBlue, &why); }))
		<< why;
	size_t before = 0;
	{
		std::lock_guard l(mu);
		before = recs.size();
	}
	// Ten whole-window redraws, each waited for on dom0's screen.
	for (uint32_t i = 0; i < 10; i++) {
		uint32_t rgb = 0x101010 * (i + 1);
		app.fill(win, rgb, 0, 0, 200, 150);
		xcb_flush(app.c());
		ASSERT_TRUE(eventually([&] {
			auto sh = dom0.screenshot();
			return dom0.pixel(sh, 25, 25) == rgb && dom0.pixel(sh, 215, 165) == rgb;
		})) << "redraw " << i;
	}
	ASSERT_TRUE(eventually([&] {
		std::lock_guard l(mu);
		return recs.size() >= before + 10;
	}));
	rg.stop();
	ra.stop();
	std::lock_guard l(mu);
	ASSERT_GE(recs.size(), before + 10);
	for (size_t i = 0; i < recs.size(); i++) {
		const FrameRecord &r = recs[i];
		SCOPED_TRACE("record " + format_frame_record(r));
		EXPECT_EQ(r.window, win);
		EXPECT_GE(r.rects, 1u);
		EXPECT_GT(r.pixels, 0u);
		EXPECT_LE(r.pixels, r.rects * 200u * 150u); // rectangles may overlap
		EXPECT_GT(r.rtt_ns, 0u);
		EXPECT_LE(r.dom0_ns, r.rtt_ns); // dom0's share is inside the round trip
		if (i == 0)
			continue;
		const FrameRecord &p = recs[i - 1];
		EXPECT_GT(r.frame, p.frame);
		EXPECT_GE(r.ack_ns, p.ack_ns);
		if (i <= before)
			continue; // window setup: other messages in between
		// Exactly one damage out (16 + 24 + 16 per rectangle) and one ack
		// in (16 + 40) between two acks of the only window: no pixels.
		EXPECT_EQ(r.tx_bytes - p.tx_bytes, 40u + 16u * r.rects);
		EXPECT_EQ(r.rx_bytes - p.rx_bytes, 56u);
	}
	auto st = agent->stats();
	EXPECT_GE(st.tx_bytes, recs.back().tx_bytes);
	EXPECT_GE(st.rx_bytes, recs.back().rx_bytes);
}

TEST_F(GuiIntegration, Dom0RequestsReachTheGuest)
{
	auto [a, b] = seqpacket_pair().value();
	auto guid = make_guid("work", "blue", std::move(a));
	ASSERT_TRUE(guid);
	Runner rg(guid.get()); // the agent waits for its welcome
	auto agent = make_agent(std::move(b));
	ASSERT_TRUE(agent);
	Runner ra(agent.get());
	XClient app(guest_->display()), dom0(dom0_->display());
	xcb_window_t win = app.create_window(30, 30, 100, 100, "target");
	xcb_atom_t protocols[] = {app.atom("WM_DELETE_WINDOW")};
	xcb_change_property(app.c(), XCB_PROP_MODE_REPLACE, win, app.atom("WM_PROTOCOLS"),
			    XCB_ATOM_ATOM, 32, 1, protocols);
	xcb_map_window(app.c(), win);
	app.draw_pattern(win, 100, 100);
	xcb_window_t frame = 0;
	ASSERT_TRUE(eventually([&] {
		auto f = dom0.frames_of("work");
		frame = f.empty() ? 0 : f[0];
		return frame && dom0.viewable(frame);
	}));

	// dom0's window manager (here: the test) moves and resizes the frame.
	uint32_t geo[] = {300, 200, 150 + 2 * kBorder, 90 + 2 * kBorder};
	xcb_configure_window(dom0.c(), frame,
			     XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
				     XCB_CONFIG_WINDOW_HEIGHT,
			     geo);
	xcb_flush(dom0.c());
	EXPECT_TRUE(eventually([&] {
		int x, y, w, h;
		return app.geometry(win, &x, &y, &w, &h) && x == 300 + kBorder && y == 200 + kBorder &&
		       w == 150 && h == 90;
	}));

	// Close from dom0 arrives as WM_DELETE_WINDOW.
	xcb_client_message_event_t ev{};
	ev.response_type = XCB_CLIENT_MESSAGE;
	ev.format = 32;
	ev.window = frame;
	ev.type = dom0.atom("WM_PROTOCOLS");
	ev.data.data32[0] = dom0.atom("WM_DELETE_WINDOW");
	xcb_send_event(dom0.c(), 0, frame, XCB_EVENT_MASK_NO_EVENT, reinterpret_cast<const char *>(&ev));
	xcb_flush(dom0.c());
	bool got_delete = false;
	eventually([&] {
		while (auto *e = xcb_poll_for_event(app.c())) {
			if ((e->response_type & 0x7f) == XCB_CLIENT_MESSAGE) {
				auto *cm = reinterpret_cast<xcb_client_message_event_t *>(e);
				got_delete = cm->window == win &&
					     cm->data.data32[0] == app.atom("WM_DELETE_WINDOW");
			}
			free(e);
		}
		return got_delete;
	});
	EXPECT_TRUE(got_delete);
}

// The cursor's image as dom0 shows it with the pointer at (x, y).
std::vector<uint32_t> cursor_image_at(XClient &x, int16_t px, int16_t py)
{
	xcb_warp_pointer(x.c(), XCB_NONE, x.screen()->root, 0, 0, 0, 0, px, py);
	xcb_aux_sync_(x.c());
	auto *r = xcb_xfixes_get_cursor_image_reply(x.c(), xcb_xfixes_get_cursor_image(x.c()), nullptr);
	std::vector<uint32_t> img;
	if (r) {
		auto *p = xcb_xfixes_get_cursor_image_cursor_image(r);
		img.assign(p, p + xcb_xfixes_get_cursor_image_cursor_image_length(r));
		img.push_back(uint32_t(r->width) << 16 | r->height);
		free(r);
	}
	return img;
}

TEST_F(GuiIntegration, CursorFollowsTheGuest)
{
	auto [a, b] = seqpacket_pair().value();
	auto guid = make_guid("work", "blue", std::move(a));
	ASSERT_TRUE(guid);
	Runner rg(guid.get());
	auto agent = make_agent(std::move(b));
	ASSERT_TRUE(agent);
	Runner ra(agent.get());
	XClient app(guest_->display()), dom0(dom0_->display());
	xcb_xfixes_query_version_reply_free_(dom0.c());
	xcb_xfixes_query_version_reply_free_(app.c());
	xcb_window_t win = app.create_window(100, 100, 80, 80, "text");
	xcb_map_window(app.c(), win);
	app.draw_pattern(win, 80, 80);
	ASSERT_TRUE(eventually([&] {
		auto f = dom0.frames_of("work");
		return !f.empty() && dom0.viewable(f[0]);
	}));
	auto plain = cursor_image_at(dom0, 140, 140);
	// The guest gives its window a named "xterm" cursor and the pointer
	// enters it.
	xcb_font_t font = xcb_generate_id(app.c());
	xcb_open_font(app.c(), font, 6, "cursor");
	xcb_cursor_t cur = xcb_generate_id(app.c());
	xcb_create_glyph_cursor(app.c(), cur, font, font, 152, 153, 0, 0, 0, 0xffff, 0xffff, 0xffff);
	xcb_xfixes_set_cursor_name(app.c(), cur, 5, "xterm");
	uint32_t v[] = {cur};
	xcb_change_window_attributes(app.c(), win, XCB_CW_CURSOR, v);
	xcb_warp_pointer(app.c(), XCB_NONE, app.screen()->root, 0, 0, 0, 0, 140, 140);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return cursor_image_at(dom0, 140, 140) != plain; }));
	xcb_destroy_window(app.c(), win);
	xcb_flush(app.c());
}

TEST_F(GuiIntegration, AgentKeepsToDom0sWindowLimit)
{
	auto [a, b] = seqpacket_pair().value();
	auto guid = make_guid("few", "purple", std::move(a), 3);
	ASSERT_TRUE(guid);
	Runner rg(guid.get());
	auto agent = make_agent(std::move(b));
	ASSERT_TRUE(agent);
	Runner ra(agent.get());
	XClient app(guest_->display()), dom0(dom0_->display());
	std::vector<xcb_window_t> wins;
	for (int i = 0; i < 5; i++) {
		wins.push_back(app.create_window(int16_t(10 + 40 * i), 10, 30, 30, "w"));
		xcb_map_window(app.c(), wins.back());
	}
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return dom0.frames_of("few").size() == 3; }));
	std::this_thread::sleep_for(200ms);
	EXPECT_EQ(dom0.frames_of("few").size(), 3u);
	EXPECT_FALSE(rg.done()) << "guid dropped a well-behaved agent";
	for (auto w : wins)
		xcb_destroy_window(app.c(), w);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return dom0.frames_of("few").empty(); }));
}

TEST_F(GuiIntegration, StackingMirroredAmongTheAppVMsWindows)
{
	auto [a, b] = seqpacket_pair().value();
	auto guid = make_guid("stack", "orange", std::move(a));
	ASSERT_TRUE(guid);
	Runner rg(guid.get());
	auto agent = make_agent(std::move(b));
	ASSERT_TRUE(agent);
	Runner ra(agent.get());
	XClient app(guest_->display()), dom0(dom0_->display());
	xcb_window_t one = app.create_window(10, 10, 40, 40, "one");
	xcb_window_t two = app.create_window(30, 30, 40, 40, "two");
	xcb_map_window(app.c(), one);
	xcb_map_window(app.c(), two);
	xcb_flush(app.c());
	// dom0's frames of these two, bottom first
	auto order = [&] {
		std::vector<std::string> t;
		for (auto f : dom0.frames_of("stack")) {
			std::string n = dom0.string_property(f, XCB_ATOM_WM_NAME);
			if (n == "[stack] one" || n == "[stack] two")
				t.push_back(n);
		}
		return t;
	};
	using V = std::vector<std::string>;
	EXPECT_TRUE(eventually([&] { return order() == V{"[stack] one", "[stack] two"}; }));
	uint32_t up[] = {XCB_STACK_MODE_ABOVE};
	xcb_configure_window(app.c(), one, XCB_CONFIG_WINDOW_STACK_MODE, up);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return order() == V{"[stack] two", "[stack] one"}; }));
	uint32_t down[] = {XCB_STACK_MODE_BELOW};
	xcb_configure_window(app.c(), one, XCB_CONFIG_WINDOW_STACK_MODE, down);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return order() == V{"[stack] one", "[stack] two"}; }));
	EXPECT_FALSE(rg.done()) << "guid dropped a well-behaved agent";
	xcb_destroy_window(app.c(), one);
	xcb_destroy_window(app.c(), two);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] { return order().empty(); }));
}

TEST_F(GuiIntegration, OverrideRedirectClampedOnScreen)
{
	auto [a, b] = seqpacket_pair().value();
	auto guid = make_guid("menus", "green", std::move(a));
	ASSERT_TRUE(guid);
	Runner rg(guid.get()); // the agent waits for its welcome
	auto agent = make_agent(std::move(b));
	ASSERT_TRUE(agent);
	Runner ra(agent.get());
	XClient app(guest_->display()), dom0(dom0_->display());
	// A "menu" as big as the guest screen, partly off it.
	xcb_window_t win = app.create_window(-50, -50, 800, 600, "menu", true);
	xcb_map_window(app.c(), win);
	app.fill(win, 0x00ffff, 0, 0, 800, 600);
	xcb_flush(app.c());
	xcb_window_t frame = 0;
	ASSERT_TRUE(eventually([&] {
		auto f = dom0.frames_of("menus");
		frame = f.empty() ? 0 : f[0];
		return frame && dom0.viewable(frame);
	}));
	int x, y, w, h;
	ASSERT_TRUE(dom0.geometry(frame, &x, &y, &w, &h));
	EXPECT_GE(x, 0);
	EXPECT_GE(y, 0);
	EXPECT_LE(w, 1024 * 3 / 4);
	EXPECT_LE(h, 768 * 3 / 4);
}

// A raw, hostile agent: the test writes the messages itself.
class Hostile {
public:
	explicit Hostile(unique_fd fd) : fd_(std::move(fd)) {}
	void raw(const std::vector<uint8_t> &b) { (void)!::send(fd_.get(), b.data(), b.size(), MSG_NOSIGNAL); }
	void send(uint32_t window, GuestBody body) { raw(encode(window, ++seq_, body)); }
	void hello() { send(0, Hello{1, 0, 800, 600}); }
	void close() { fd_.reset(); }
	uint32_t seq_ = 0;

private:
	unique_fd fd_;
};

TEST_F(GuiIntegration, HostileAgentDroppedOthersServed)
{
	// A well-behaved AppVM...
	auto [a, b] = seqpacket_pair().value();
	auto good = make_guid("work", "blue", std::move(a));
	ASSERT_TRUE(good);
	Runner rg(good.get()); // the agent waits for its welcome
	auto agent = make_agent(std::move(b));
	ASSERT_TRUE(agent);
	Runner ra(agent.get());
	XClient app(guest_->display()), dom0(dom0_->display());
	xcb_window_t win = app.create_window(20, 30, 100, 60, "good");
	xcb_map_window(app.c(), win);
	app.draw_pattern(win, 100, 60);
	std::string why;
	ASSERT_TRUE(eventually([&] { return shows_pattern(dom0, 20, 30, 100, 60, kBlue, &why); }))
		<< why;

	// ...and a hostile one.
	auto [c, d] = seqpacket_pair().value();
	auto evil = make_guid("evil", "red", std::move(c), 64);
	ASSERT_TRUE(evil);
	Runner re(evil.get());
	Hostile h(std::move(d));
	h.hello();
	h.send(1, Create{400, 300, 50, 40, 0, false});
	h.send(1, Title{"ev\x1b[2Jil\t\xe2\x80\xae title\n"});
	h.send(1, Map{});
	ASSERT_TRUE(eventually([&] {
		auto f = dom0.frames_of("evil");
		return f.size() == 1 && dom0.viewable(f[0]) &&
		       dom0.string_property(f[0], XCB_ATOM_WM_NAME) == "[evil] ev[2Jil title";
	}));
	// Its frame is red.
	EXPECT_TRUE(eventually([&] {
		auto s = dom0.screenshot();
		return dom0.pixel(s, 400 - 1, 300 - 1) == kRed;
	}));

	// A flood of windows: over the limit, the connection is dropped and
	// every window of that AppVM goes away.
	for (uint32_t i = 2; i <= 200; i++)
		h.send(i, Create{0, 0, 10, 10, 0, false});
	EXPECT_NE(re.wait_error().find("window limit (64) reached"), std::string::npos);
	evil.reset();
	XClient check(dom0_->display());
	EXPECT_TRUE(check.frames_of("evil").empty());

	// The good AppVM is still served.
	app.fill(win, 0xff00ff, 0, 0, 100, 60);
	xcb_flush(app.c());
	EXPECT_TRUE(eventually([&] {
		auto s = dom0.screenshot();
		return dom0.pixel(s, 25, 35) == 0xff00ff;
	}));
	EXPECT_FALSE(rg.done());
	xcb_destroy_window(app.c(), win);
	xcb_flush(app.c());
}


// More messages than guid handles per wakeup, announced by one
// notification: guid must come back for the rest by itself (it used to wait
// for a wakeup that never came, leaving the rest unprocessed).
TEST_F(GuiIntegration, MessagesPastTheBatchLimitNeedNoFurtherWakeup)
{
	unique_fd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	GuidConfig cfg = plain_config("batch", "yellow");
	auto ch = std::make_unique<OneWakeupChannel>(efd.get());
	OneWakeupChannel *q = ch.get();
	uint32_t seq = 0;
	q->push(encode(0, ++seq, GuestBody(Hello{1, 0, 800, 600})));
	for (uint32_t i = 1; i <= 300; i++)
		q->push(encode(i, ++seq, GuestBody(Create{0, 0, 10, 10, 0, false})));
	auto [guid, rg] = run_woken(cfg, std::move(ch), efd.get());
	ASSERT_TRUE(guid);
	XClient dom0(dom0_->display());
	EXPECT_TRUE(eventually([&] { return dom0.frames_of("batch").size() == 300; }))
		<< dom0.frames_of("batch").size() << " of 300 windows";
	EXPECT_FALSE(rg->done());
}

// A destroyed AppVM sends no last event and its channel never becomes
// readable: guid must ask by itself (Channel::max_wait_ms) and end, so that
// the AppVM's windows leave dom0's screen. It used to wait forever.
TEST_F(GuiIntegration, AnAppVmThatDiesSilentlyIsNoticed)
{
	unique_fd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	GuidConfig cfg = plain_config("silent", "purple");
	auto ch = std::make_unique<OneWakeupChannel>(efd.get(), 50);
	OneWakeupChannel *q = ch.get();
	q->push(encode(0, 1, GuestBody(Hello{1, 0, 800, 600})));
	q->push(encode(1, 2, GuestBody(Create{0, 0, 10, 10, 0, false})));
	auto [guid, rg] = run_woken(cfg, std::move(ch), efd.get());
	ASSERT_TRUE(guid);
	XClient dom0(dom0_->display());
	ASSERT_TRUE(eventually([&] { return dom0.frames_of("silent").size() == 1; }));
	q->die(); // no notification follows
	EXPECT_EQ(rg->wait_error(), "peer domain died");
	guid.reset();
	EXPECT_TRUE(eventually([&] { return dom0.frames_of("silent").empty(); }));
}

// An AppVM's input ring, read as its gntinput driver reads it.
struct TestRing {
	MemoryInputRing mem{};
	gntinput_consumer c;
	std::vector<gntinput_event> got;
	TestRing()
	{
		gntinput_page_init(mem.page);
		gntinput_consumer_init(&c, mem.page, 1024, 768);
	}
	void drain()
	{
		gntinput_event e;
		while (gntinput_consumer_next(&c, &e) == GNTINPUT_NEXT_EVENT)
			got.push_back(e);
		gntinput_consumer_finish(&c);
	}
	size_t count(uint16_t type, uint32_t detail, bool press)
	{
		drain();
		size_t n = 0;
		for (auto &e : got)
			n += e.type == type && e.detail == detail &&
			     bool(e.flags & GNTINPUT_F_PRESS) == press;
		return n;
	}
	size_t count_type(uint16_t type)
	{
		drain();
		size_t n = 0;
		for (auto &e : got)
			n += e.type == type;
		return n;
	}
};

void fake(XClient &x, uint8_t type, uint8_t detail, int16_t px = 0, int16_t py = 0)
{
	xcb_test_fake_input(x.c(), type, detail, XCB_CURRENT_TIME, x.screen()->root, px, py, 0);
	xcb_aux_sync_(x.c());
}

TEST_F(GuiIntegration, InputGoesToTheFocusedAndPointedAppVmOnly)
{
	TestRing rw, rb;
	auto [a, b] = seqpacket_pair().value();
	auto work = make_guid("work", "blue", std::move(a), kMaxWindows,
			      memory_input_connector(&rw.mem));
	auto [c, d] = seqpacket_pair().value();
	auto bank = make_guid("banking", "green", std::move(c), kMaxWindows,
			      memory_input_connector(&rb.mem));
	ASSERT_TRUE(work && bank);
	EXPECT_TRUE(work->input_connected());
	Runner r1(work.get()), r2(bank.get());
	Hostile hw(std::move(b)), hb(std::move(d));
	hw.hello();
	hw.send(1, Create{100, 100, 200, 150, 0, false});
	hw.send(1, Map{});
	hb.hello();
	hb.send(1, Create{500, 400, 200, 150, 0, false});
	hb.send(1, Map{});
	XClient dom0(dom0_->display());
	xcb_window_t wf = 0, bf = 0;
	ASSERT_TRUE(eventually([&] {
		auto f1 = dom0.frames_of("work"), f2 = dom0.frames_of("banking");
		wf = f1.empty() ? 0 : f1[0];
		bf = f2.empty() ? 0 : f2[0];
		return wf && bf && dom0.viewable(wf) && dom0.viewable(bf);
	}));
	// dom0's keyboard layout reached both AppVMs at connection.
	EXPECT_TRUE(eventually([&] { return rw.count_type(GNTINPUT_EV_LAYOUT) == 1; }));
	gntinput_layout l;
	auto it = std::find_if(rw.got.begin(), rw.got.end(),
			       [](auto &e) { return e.type == GNTINPUT_EV_LAYOUT; });
	ASSERT_NE(it, rw.got.end());
	ASSERT_EQ(gntinput_consumer_layout(&rw.c, it->detail, &l), 0);
	EXPECT_STREQ(l.rules, "evdev");

	// work has the focus and the pointer: a key and a click.
	xcb_set_input_focus(dom0.c(), XCB_INPUT_FOCUS_PARENT, wf, XCB_CURRENT_TIME);
	fake(dom0, XCB_MOTION_NOTIFY, 0, 150, 130);
	fake(dom0, XCB_KEY_PRESS, 38);
	fake(dom0, XCB_KEY_RELEASE, 38);
	fake(dom0, XCB_BUTTON_PRESS, 1);
	fake(dom0, XCB_BUTTON_RELEASE, 1);
	fake(dom0, XCB_BUTTON_PRESS, 5); // one wheel step down
	fake(dom0, XCB_BUTTON_RELEASE, 5);
	EXPECT_TRUE(eventually([&] { return rw.count(GNTINPUT_EV_BUTTON, 1, false) == 1; }));
	EXPECT_EQ(rw.count(GNTINPUT_EV_KEY, 38, true), 1u);
	EXPECT_EQ(rw.count(GNTINPUT_EV_KEY, 38, false), 1u);
	auto click = std::find_if(rw.got.begin(), rw.got.end(),
				  [](auto &e) { return e.type == GNTINPUT_EV_BUTTON; });
	ASSERT_NE(click, rw.got.end());
	// The content is at the guest's (100, 100): AppVM (150, 130).
	EXPECT_EQ(click->x, 150);
	EXPECT_EQ(click->y, 130);
	EXPECT_TRUE(eventually([&] { return rw.count_type(GNTINPUT_EV_SCROLL) == 1; }));

	// Shift held in work, then the focus moves to banking: work gets the
	// release (and nothing after), banking never sees Shift.
	fake(dom0, XCB_KEY_PRESS, 50);
	EXPECT_TRUE(eventually([&] { return rw.count(GNTINPUT_EV_KEY, 50, true) == 1; }));
	xcb_set_input_focus(dom0.c(), XCB_INPUT_FOCUS_PARENT, bf, XCB_CURRENT_TIME);
	xcb_aux_sync_(dom0.c());
	EXPECT_TRUE(eventually([&] { return rw.count(GNTINPUT_EV_KEY, 50, false) == 1; }));
	fake(dom0, XCB_KEY_RELEASE, 50);
	fake(dom0, XCB_KEY_PRESS, 56);
	fake(dom0, XCB_KEY_RELEASE, 56);
	EXPECT_TRUE(eventually([&] { return rb.count(GNTINPUT_EV_KEY, 56, false) == 1; }));
	EXPECT_EQ(rb.count(GNTINPUT_EV_KEY, 50, false), 0u);
	EXPECT_EQ(rb.count(GNTINPUT_EV_KEY, 50, true), 0u);
	EXPECT_EQ(rw.count(GNTINPUT_EV_KEY, 56, true), 0u);
	// banking never had the pointer: no button, motion or crossing at all.
	EXPECT_EQ(rb.count_type(GNTINPUT_EV_BUTTON), 0u);
	EXPECT_EQ(rb.count_type(GNTINPUT_EV_MOTION), 0u);
	EXPECT_EQ(rb.count_type(GNTINPUT_EV_CROSSING), 0u);
	EXPECT_EQ(rw.c.unbalanced, 0u);
	EXPECT_EQ(rb.c.unbalanced, 0u);
	EXPECT_EQ(rw.c.invalid + rb.c.invalid, 0u);
	xcb_set_input_focus(dom0.c(), XCB_INPUT_FOCUS_POINTER_ROOT, XCB_INPUT_FOCUS_POINTER_ROOT,
			    XCB_CURRENT_TIME);
	fake(dom0, XCB_MOTION_NOTIFY, 0, 5, 5);
}

struct Violation {
	const char *name;
	std::function<void(Hostile &)> attack;
	const char *reason; // substring of the logged reason
};

void PrintTo(const Violation &v, std::ostream *os) { *os << v.name; }

class GuiHostile : public GuiIntegration, public ::testing::WithParamInterface<Violation> {};

TEST_P(GuiHostile, DroppedWithReason)
{
	auto [a, b] = seqpacket_pair().value();
	auto guid = make_guid("evil", "red", std::move(a));
	ASSERT_TRUE(guid);
	Runner r(guid.get());
	// The socket stays open until guid has given up: closing it with our
	// receive queue unread would reset the connection before guid read
	// the attack.
	Hostile h(std::move(b));
	GetParam().attack(h);
	std::string e = r.wait_error();
	EXPECT_NE(e.find(GetParam().reason), std::string::npos) << "got: " << e;
	guid.reset();
	XClient dom0(dom0_->display());
	EXPECT_TRUE(dom0.frames_of("evil").empty());
}

std::vector<uint8_t> with_length(std::vector<uint8_t> m, uint32_t len)
{
	for (int i = 0; i < 4; i++)
		m[4 + i] = uint8_t(len >> (8 * i));
	return m;
}

INSTANTIATE_TEST_SUITE_P(
	Attacks, GuiHostile,
	::testing::Values(
		Violation{"NoHello", [](Hostile &h) { h.send(1, Create{0, 0, 9, 9, 0, false}); },
			  "message before hello"},
		Violation{"Truncated",
			  [](Hostile &h) {
				  auto m = encode(0, 1, GuestBody(Hello{1, 0, 8, 8}));
				  m.resize(m.size() - 3);
				  h.raw(m);
			  },
			  "header says"},
		Violation{"LyingLength",
			  [](Hostile &h) {
				  h.raw(with_length(encode(0, 1, GuestBody(Title{"abc"})), 4000));
			  },
			  "payload length"},
		Violation{"Oversized",
			  [](Hostile &h) { h.raw(std::vector<uint8_t>(kMaxMessageSize + 100, 0)); },
			  "over the limit"},
		Violation{"UnknownType",
			  [](Hostile &h) {
				  auto m = encode(0, 1, GuestBody(Hello{1, 0, 8, 8}));
				  m[0] = 0x55;
				  h.raw(m);
			  },
			  "unknown message type"},
		Violation{"ForgedWindow",
			  [](Hostile &h) {
				  h.hello();
				  h.send(0x1234, Map{});
			  },
			  "window 4660 does not exist"},
		Violation{"OutOfOrder",
			  [](Hostile &h) {
				  h.hello();
				  h.seq_ += 5;
				  h.send(1, Create{0, 0, 9, 9, 0, false});
			  },
			  "sequence 7, expected 2"},
		Violation{"HugeWindow",
			  [](Hostile &h) {
				  h.hello();
				  h.send(1, Create{0, 0, 20000, 100, 0, false});
			  },
			  "out of range"},
		Violation{"BadUtf8Title",
			  [](Hostile &h) {
				  h.hello();
				  h.send(1, Create{0, 0, 9, 9, 0, false});
				  h.send(1, Title{"\xc0\xaf"});
			  },
			  "not valid UTF-8"},
		Violation{"UnknownBufferRef",
			  [](Hostile &h) {
				  h.hello();
				  h.send(1, Create{0, 0, 9, 9, 0, false});
				  h.send(1, Buffer{1, 9, 9, 36, kFormatXRGB8888, 999});
			  },
			  "buffer ref 999"},
		Violation{"DamageOutsideBuffer",
			  [](Hostile &h) {
				  h.hello();
				  h.send(1, Create{0, 0, 9, 9, 0, false});
				  h.send(1, Damage{1, 1, 0, {{0, 0, 9, 9}}});
			  },
			  "is not live"},
		Violation{"PeerVanished", [](Hostile &h) { h.close(); }, "peer closed"}),
	[](const auto &info) { return std::string(info.param.name); });

} // namespace
} // namespace bulkhead::gui
