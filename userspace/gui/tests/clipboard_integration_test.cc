// SPDX-License-Identifier: GPL-2.0-only
// Host integration test of the clipboard: a dom0 Xvfb and two AppVM Xvfbs
// ("work", blue, and "banking", green), each AppVM with its real Agent and
// dom0 Guid over a socketpair, the real dom0 store in a private directory,
// a policy file, and clip_test clients in the AppVMs (one owning CLIPBOARD,
// one logging every key and fetching CLIPBOARD on Ctrl-V). The shortcuts
// are typed with XTest into dom0's X server on the AppVM's frame, as a user
// would. A hostile agent (raw messages) must not get past dom0's checks.
#include <chrono>
#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <poll.h>
#include <xcb/xtest.h>

#include "agent.h"
#include "bulkhead/gui/channel.h"
#include "bulkhead/gui/clipboard.h"
#include "guid.h"
#include "shortcut.h"
#include "runner.h"
#include "xvfb.h"

namespace bulkhead::gui {
namespace {

using testing::eventually;
using testing::Runner;
using testing::XClient;
using testing::Xvfb;
using namespace std::chrono_literals;

// A clip_test client on an AppVM's display.
class Client {
public:
	Client(const std::string &display, std::vector<std::string> args)
	{
		out_ = "/tmp/bh-cliptest-" + std::to_string(getpid()) + "-" + std::to_string(++count_);
		pid_ = fork();
		if (pid_ == 0) {
			setenv("DISPLAY", display.c_str(), 1);
			int fd = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
			dup2(fd, 1);
			std::vector<char *> argv = {const_cast<char *>(CLIP_TEST_CLIENT)};
			for (auto &a : args)
				argv.push_back(a.data());
			argv.push_back(nullptr);
			execv(argv[0], argv.data());
			_exit(127);
		}
	}
	~Client()
	{
		kill(pid_, SIGTERM);
		waitpid(pid_, nullptr, 0);
		unlink(out_.c_str());
	}
	std::string output() const
	{
		std::ifstream f(out_);
		std::stringstream s;
		s << f.rdbuf();
		return s.str();
	}
	bool said(const std::string &what) const
	{
		return eventually([&] { return output().find(what) != std::string::npos; });
	}

private:
	pid_t pid_ = -1;
	std::string out_;
	static inline int count_ = 0;
};

std::string slurp(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	std::stringstream s;
	s << f.rdbuf();
	return s.str();
}

void spit(const std::string &path, const std::string &data)
{
	std::ofstream(path, std::ios::binary) << data;
}

std::string be(uint32_t v) { return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; }

std::string png_chunk(const std::string &type, const std::string &body)
{
	return be(uint32_t(body.size())) + type + body + be(crc32_png(type + body));
}

// A 2x1 RGB PNG (a zlib stored block, as any encoder could write).
std::string sample_png()
{
	std::string ihdr = be(2) + be(1) + std::string("\x08\x02\x00\x00\x00", 5);
	std::string raw("\x00\xff\x00\x00\x00\x00\xff", 7);
	uint32_t a = 1, b = 0;
	for (unsigned char c : raw) {
		a = (a + c) % 65521;
		b = (b + a) % 65521;
	}
	std::string idat = std::string("\x78\x01\x01\x07\x00\xf8\xff", 7) + raw + be(b << 16 | a);
	return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) +
	       png_chunk("IDAT", idat) + png_chunk("IEND", "");
}

class ClipboardIntegration : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		if (Xvfb::binary().empty())
			return;
		auto d = Xvfb::start(1024, 768);
		auto w = Xvfb::start(640, 480);
		auto b = Xvfb::start(640, 480);
		if (d.ok() && w.ok() && b.ok()) {
			dom0_ = new Xvfb(std::move(d).value());
			work_ = new Xvfb(std::move(w).value());
			banking_ = new Xvfb(std::move(b).value());
		}
	}
	static void TearDownTestSuite()
	{
		delete dom0_;
		delete work_;
		delete banking_;
		dom0_ = work_ = banking_ = nullptr;
	}
	void SetUp() override
	{
		if (Xvfb::binary().empty()) {
			if (getenv("CI"))
				FAIL() << "Xvfb is not installed (make deps installs xvfb)";
			GTEST_SKIP() << "SKIP: Xvfb is not installed; run 'make deps'";
		}
		ASSERT_TRUE(dom0_ && work_ && banking_) << "Xvfb failed to start";
		registry_ = std::make_shared<MemfdBufferRegistry>();
		char t[] = "/tmp/bh-clipint-XXXXXX";
		tmp_ = mkdtemp(t);
		store_dir_ = tmp_ + "/clipboard";
		policy_ = tmp_ + "/clipboard.policy";
		std::filesystem::create_directory(tmp_ + "/work");
		std::filesystem::create_directory(tmp_ + "/banking");
	}
	void TearDown() override
	{
		if (!tmp_.empty())
			std::filesystem::remove_all(tmp_);
	}

	ClipboardConfig clip_config()
	{
		ClipboardConfig c;
		c.store_dir = store_dir_;
		c.policy_path = policy_;
		c.notify_seconds = 30;
		c.copy_timeout = copy_timeout_;
		return c;
	}

	std::unique_ptr<Guid> make_guid(const std::string &vm, const char *label, unique_fd end)
	{
		GuidConfig cfg;
		cfg.vm_name = vm;
		cfg.label = parse_label(label).value();
		cfg.domid = 7;
		cfg.display = dom0_->display();
		cfg.clipboard = clip_config();
		auto ch = socket_channel(std::move(end), kMaxMessageSize);
		EXPECT_TRUE(ch.ok());
		auto g = Guid::create(cfg, std::move(ch).value(), memfd_importer(registry_));
		EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().message);
		return g.ok() ? std::move(g).value() : nullptr;
	}

	std::unique_ptr<Agent> make_agent(const std::string &display, unique_fd end)
	{
		AgentConfig cfg;
		cfg.display = display;
		cfg.frame_interval = 5ms;
		auto ch = socket_channel(std::move(end), kMaxMessageSize);
		EXPECT_TRUE(ch.ok());
		auto reg = registry_;
		auto a = Agent::create(cfg, std::move(ch).value(), [reg](xcb_connection_t *c) {
			return copy_buffer_source(c, reg);
		});
		EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
		return a.ok() ? std::move(a).value() : nullptr;
	}

	// Focus the AppVM's dom0 frame and type keys (keysyms) with XTest,
	// as the user would on dom0's keyboard: all down, then all up.
	static void type_on(XClient &dom0, xcb_window_t frame, std::vector<uint32_t> syms)
	{
		xcb_set_input_focus(dom0.c(), XCB_INPUT_FOCUS_POINTER_ROOT, frame, XCB_CURRENT_TIME);
		const xcb_setup_t *s = xcb_get_setup(dom0.c());
		auto *m = xcb_get_keyboard_mapping_reply(
			dom0.c(),
			xcb_get_keyboard_mapping(dom0.c(), s->min_keycode,
						 uint8_t(s->max_keycode - s->min_keycode + 1)),
			nullptr);
		ASSERT_TRUE(m);
		const xcb_keysym_t *k = xcb_get_keyboard_mapping_keysyms(m);
		Keymap map(s->min_keycode, m->keysyms_per_keycode,
			   std::vector<uint32_t>(k, k + xcb_get_keyboard_mapping_keysyms_length(m)));
		free(m);
		std::vector<uint8_t> codes;
		for (uint32_t sym : syms) {
			codes.push_back(map.keycode(sym));
			ASSERT_NE(codes.back(), 0) << "no keycode for keysym " << sym;
		}
		for (uint8_t c : codes)
			xcb_test_fake_input(dom0.c(), XCB_KEY_PRESS, c, XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
		for (auto it = codes.rbegin(); it != codes.rend(); ++it)
			xcb_test_fake_input(dom0.c(), XCB_KEY_RELEASE, *it, XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
		free(xcb_get_input_focus_reply(dom0.c(), xcb_get_input_focus(dom0.c()), nullptr));
	}
	static void copy_on(XClient &dom0, xcb_window_t f) { type_on(dom0, f, {0xffe3, 0xffe1, 'c'}); }
	static void paste_on(XClient &dom0, xcb_window_t f) { type_on(dom0, f, {0xffe3, 0xffe1, 'v'}); }

	// Every dom0 clipboard notification on screen.
	static std::string notices(XClient &dom0)
	{
		std::string all;
		auto *t = xcb_query_tree_reply(dom0.c(), xcb_query_tree(dom0.c(), dom0.screen()->root), nullptr);
		if (!t)
			return all;
		xcb_atom_t a = dom0.atom("_BULKHEAD_NOTIFICATION");
		auto *kids = xcb_query_tree_children(t);
		for (int i = 0; i < xcb_query_tree_children_length(t); i++)
			if (std::string s = dom0.string_property(kids[i], a); !s.empty())
				all += s + "\n";
		free(t);
		return all;
	}
	static bool noticed(XClient &dom0, const std::string &what)
	{
		return eventually([&] { return notices(dom0).find(what) != std::string::npos; });
	}

	std::optional<ClipEntry> stored()
	{
		auto st = ClipStore::open(store_dir_);
		if (!st.ok())
			return std::nullopt;
		auto e = st->take([](const ClipEntry &) { return false; }, false);
		return e.ok() ? *e : std::nullopt;
	}

	static xcb_window_t frame(XClient &dom0, const std::string &vm)
	{
		xcb_window_t f = 0;
		eventually([&] {
			auto v = dom0.frames_of(vm);
			f = v.empty() ? 0 : v[0];
			return f && dom0.viewable(f);
		});
		return f;
	}

	static Xvfb *dom0_, *work_, *banking_;
	std::shared_ptr<MemfdBufferRegistry> registry_;
	std::string tmp_, store_dir_, policy_;
	std::chrono::milliseconds copy_timeout_{10000};
};

Xvfb *ClipboardIntegration::dom0_ = nullptr;
Xvfb *ClipboardIntegration::work_ = nullptr;
Xvfb *ClipboardIntegration::banking_ = nullptr;

size_t lines(const std::string &s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

TEST_F(ClipboardIntegration, CopyInWorkPasteInBanking)
{
	auto [wa, wb] = seqpacket_pair().value();
	auto [ba, bb] = seqpacket_pair().value();
	auto gw = make_guid("work", "blue", std::move(wa));
	auto gb = make_guid("banking", "green", std::move(ba));
	ASSERT_TRUE(gw && gb);
	Runner rgw(gw.get()), rgb(gb.get());
	auto aw = make_agent(work_->display(), std::move(wb));
	auto ab = make_agent(banking_->display(), std::move(bb));
	ASSERT_TRUE(aw && ab);
	Runner raw(aw.get()), rab(ab.get());
	XClient dom0(dom0_->display());

	std::string wdir = tmp_ + "/work", bdir = tmp_ + "/banking";
	Client wwatch(work_->display(), {"watch", wdir, "work-watch"});
	Client bwatch(banking_->display(), {"watch", bdir, "banking-watch"});
	xcb_window_t wf = frame(dom0, "work"), bf = frame(dom0, "banking");
	ASSERT_TRUE(wf && bf);

	// Paste with nothing copied: a notification, nothing in banking.
	paste_on(dom0, bf);
	EXPECT_TRUE(noticed(dom0, "Nothing to paste into banking"));

	// Copy with nothing in work's CLIPBOARD.
	copy_on(dom0, wf);
	EXPECT_TRUE(noticed(dom0, "Nothing to copy in work"));

	// Text: copy in work, paste in banking.
	std::string text = "Pay to: ACME \xc3\x89tablissements, \xe2\x82\xac 42.00\n\tref #7\n";
	spit(tmp_ + "/text", text);
	{
		Client owner(work_->display(), {"own", "text", tmp_ + "/text"});
		ASSERT_TRUE(owner.said("owned"));
		copy_on(dom0, wf);
		ASSERT_TRUE(eventually([&] { return stored().has_value(); }));
		auto e = stored();
		EXPECT_EQ(e->data, text);
		EXPECT_EQ(e->source_vm, "work");
		EXPECT_EQ(e->source_label, "blue");
		EXPECT_EQ(e->format, kClipText);
		EXPECT_GT(e->time, 1700000000);
		EXPECT_TRUE(noticed(dom0, "Copied " + std::to_string(text.size()) + " bytes of text from work"));
	}
	paste_on(dom0, bf);
	ASSERT_TRUE(eventually([&] { return slurp(bdir + "/pastes.log") == "1 text " + std::to_string(text.size()) + "\n"; }))
		<< slurp(bdir + "/pastes.log");
	EXPECT_EQ(slurp(bdir + "/paste-1"), text);
	EXPECT_TRUE(noticed(dom0, "Pasted " + std::to_string(text.size()) + " bytes of text from work (blue) into banking"));
	// One-shot: the dom0 copy is gone; a second paste finds nothing.
	EXPECT_FALSE(stored().has_value());
	paste_on(dom0, bf);
	std::this_thread::sleep_for(300ms);
	EXPECT_EQ(lines(slurp(bdir + "/pastes.log")), 1u);

	// A PNG image.
	std::string png = sample_png();
	spit(tmp_ + "/img.png", png);
	{
		Client owner(work_->display(), {"own", "png", tmp_ + "/img.png"});
		ASSERT_TRUE(owner.said("owned"));
		copy_on(dom0, wf);
		ASSERT_TRUE(eventually([&] { return stored().has_value(); }));
		EXPECT_EQ(stored()->format, kClipPng);
	}
	paste_on(dom0, bf);
	ASSERT_TRUE(eventually([&] { return lines(slurp(bdir + "/pastes.log")) == 2; }));
	EXPECT_NE(slurp(bdir + "/pastes.log").find("2 png " + std::to_string(png.size())), std::string::npos);
	EXPECT_EQ(slurp(bdir + "/paste-2"), png);

	// 200 KiB of text by INCR from the owner, in 4 chunks each way.
	std::string big;
	for (int i = 0; big.size() < 200 * 1024; i++)
		big += "line " + std::to_string(i) + " \xce\xb1\xce\xb2\xce\xb3\n";
	spit(tmp_ + "/big", big);
	{
		Client owner(work_->display(), {"own", "text", tmp_ + "/big", "incr"});
		ASSERT_TRUE(owner.said("owned"));
		copy_on(dom0, wf);
		ASSERT_TRUE(eventually([&] { return stored().has_value(); }));
		EXPECT_EQ(stored()->data, big);
		EXPECT_TRUE(owner.said("served INCR end"));
	}
	paste_on(dom0, bf);
	ASSERT_TRUE(eventually([&] { return lines(slurp(bdir + "/pastes.log")) == 3; }));
	EXPECT_EQ(slurp(bdir + "/paste-3"), big);

	// Oversize (300 KiB, default limit 256 KiB): refused and said, both as
	// one property and by INCR; nothing stored.
	std::string huge(300 * 1024, 'h');
	spit(tmp_ + "/huge", huge);
	for (const char *mode : {"plain", "incr"}) {
		std::vector<std::string> args = {"own", "text", tmp_ + "/huge"};
		if (std::string(mode) == "incr")
			args.push_back("incr");
		Client owner(work_->display(), args);
		ASSERT_TRUE(owner.said("owned"));
		copy_on(dom0, wf);
		EXPECT_TRUE(noticed(dom0, "Copy from work refused")) << mode;
		EXPECT_TRUE(noticed(dom0, "over the limit of 262144 bytes")) << mode;
		EXPECT_FALSE(stored().has_value()) << mode;
		// wait until the refusal is out of the way before the next one
		std::this_thread::sleep_for(200ms);
	}

	// Denied pair: blue (work) may not paste into banking.
	spit(policy_, "label:blue banking deny\n* * allow\n");
	{
		Client owner(work_->display(), {"own", "text", tmp_ + "/text"});
		ASSERT_TRUE(owner.said("owned"));
		copy_on(dom0, wf);
		ASSERT_TRUE(eventually([&] { return stored().has_value(); }));
	}
	paste_on(dom0, bf);
	EXPECT_TRUE(noticed(dom0, "Paste from work (blue) into banking (green) denied by policy line 1"));
	std::this_thread::sleep_for(300ms);
	EXPECT_EQ(lines(slurp(bdir + "/pastes.log")), 3u);
	EXPECT_TRUE(stored().has_value()) << "a denied paste does not consume the copy";
	// A broken policy file denies everything.
	spit(policy_, "work banking perhaps\n");
	paste_on(dom0, bf);
	EXPECT_TRUE(noticed(dom0, "clipboard policy line 1"));
	spit(policy_, "* * allow\n");
	paste_on(dom0, bf);
	ASSERT_TRUE(eventually([&] { return lines(slurp(bdir + "/pastes.log")) == 4; }));
	EXPECT_EQ(slurp(bdir + "/paste-4"), text);

	// The shortcuts never reached either AppVM: no 'c', and no 'v' with
	// Shift (the agent's own emulated paste is Ctrl-V, without Shift).
	std::string wk = slurp(wdir + "/keys.log"), bk = slurp(bdir + "/keys.log");
	EXPECT_EQ(wk, "") << "work's client got keys";
	std::istringstream in(bk);
	int ctrl_v = 0;
	for (std::string l; std::getline(in, l);) {
		EXPECT_EQ(l.find("keysym=0x63 "), std::string::npos) << l;
		unsigned sym = 0, state = 0;
		char kind[16];
		ASSERT_EQ(sscanf(l.c_str(), "%15s keysym=0x%x state=0x%x", kind, &sym, &state), 3) << l;
		if (sym == 'v') {
			EXPECT_EQ(state & 1u, 0u) << "Shift reached the AppVM: " << l;
			ctrl_v += std::string(kind) == "press";
		}
	}
	EXPECT_EQ(ctrl_v, 4) << bk;

	EXPECT_FALSE(rgw.done());
	EXPECT_FALSE(rgb.done());
	EXPECT_FALSE(raw.done());
	EXPECT_FALSE(rab.done());
}

// A hostile agent speaking raw messages to its guid.
class HostileAgent {
public:
	explicit HostileAgent(unique_fd fd) : fd_(std::move(fd)) {}
	void send(GuestBody b) { raw(encode(b.index() == 0 || type_of(b) >= 0x0d ? 0 : 1, ++seq_, b)); }
	void raw(const std::vector<uint8_t> &b) { (void)!::send(fd_.get(), b.data(), b.size(), MSG_NOSIGNAL); }
	// hello, one mapped 60x40 window (id 1)
	void start()
	{
		send(Hello{1, 1, 640, 480});
		send(Create{300, 300, 60, 40, 0, false});
		send(Map{});
	}
	// The next clipboard-request dom0 sends (its id), or 0 after 15 s.
	uint32_t wait_request()
	{
		auto end = std::chrono::steady_clock::now() + 15s;
		while (std::chrono::steady_clock::now() < end) {
			pollfd p{fd_.get(), POLLIN, 0};
			if (poll(&p, 1, 100) <= 0)
				continue;
			std::vector<uint8_t> buf(kMaxMessageSize);
			ssize_t n = recv(fd_.get(), buf.data(), buf.size(), 0);
			if (n <= 0)
				return 0;
			buf.resize(size_t(n));
			auto m = decode_dom0(buf);
			if (m.ok())
				if (auto *r = std::get_if<ClipboardRequest>(&m->body))
					return r->id;
		}
		return 0;
	}
	uint32_t seq_ = 0;

private:
	unique_fd fd_;
};

TEST_F(ClipboardIntegration, HostileAgentData)
{
	// banking: a real agent and client; evil: raw messages.
	auto [ba, bb] = seqpacket_pair().value();
	auto gb = make_guid("banking", "green", std::move(ba));
	ASSERT_TRUE(gb);
	Runner rgb(gb.get());
	auto ab = make_agent(banking_->display(), std::move(bb));
	ASSERT_TRUE(ab);
	Runner rab(ab.get());
	XClient dom0(dom0_->display());
	std::string bdir = tmp_ + "/banking";
	Client bwatch(banking_->display(), {"watch", bdir, "banking-watch"});
	xcb_window_t bf = frame(dom0, "banking");
	ASSERT_TRUE(bf);

	auto evil_round = [&](const std::function<void(HostileAgent &, uint32_t)> &reply,
			      const char *violation) {
		auto [ea, eb] = seqpacket_pair().value();
		auto ge = make_guid("evil", "red", std::move(ea));
		EXPECT_TRUE(ge);
		if (!ge)
			return std::string();
		Runner rge(ge.get());
		HostileAgent h(std::move(eb));
		h.start();
		xcb_window_t ef = frame(dom0, "evil");
		EXPECT_TRUE(ef);
		copy_on(dom0, ef);
		uint32_t id = h.wait_request();
		EXPECT_NE(id, 0u) << "no clipboard-request reached the agent";
		reply(h, id);
		if (violation) {
			std::string e = rge.wait_error();
			EXPECT_NE(e.find(violation), std::string::npos) << "got: " << e;
			return e;
		}
		std::this_thread::sleep_for(300ms);
		EXPECT_FALSE(rge.done()) << rge.wait_error();
		return std::string();
	};

	// Invalid UTF-8 labelled as text: dom0 stores the bytes as they are,
	// the receiving agent refuses them; dom0 says so.
	evil_round(
		[](HostileAgent &h, uint32_t id) {
			h.send(ClipboardReply{id, ClipStatus::kData, kClipText, 4});
			h.send(ClipboardChunk{id, "\xc0\xaf\xff\xfe"});
		},
		nullptr);
	ASSERT_TRUE(eventually([&] { return stored().has_value(); }));
	EXPECT_EQ(stored()->source_label, "red");
	paste_on(dom0, bf);
	EXPECT_TRUE(noticed(dom0, "refused by its agent: the text is not valid UTF-8"));
	// Garbage labelled as PNG.
	evil_round(
		[](HostileAgent &h, uint32_t id) {
			h.send(ClipboardReply{id, ClipStatus::kData, kClipPng, 9});
			h.send(ClipboardChunk{id, "\x89PNG\r\n\x1a\nX"});
		},
		nullptr);
	ASSERT_TRUE(eventually([&] { return stored().has_value(); }));
	paste_on(dom0, bf);
	EXPECT_TRUE(noticed(dom0, "refused by its agent: not a well-formed PNG image"));
	std::this_thread::sleep_for(300ms);
	EXPECT_EQ(slurp(bdir + "/pastes.log"), "") << "nothing reached banking's client";

	// Framing lies: each ends evil's connection, nothing is stored.
	evil_round(
		[](HostileAgent &h, uint32_t id) {
			h.send(ClipboardReply{id, ClipStatus::kData, kClipText, 1000});
			h.send(ClipboardChunk{id, std::string(2000, 'x')});
		},
		"runs past the announced 1000 bytes");
	evil_round(
		[](HostileAgent &h, uint32_t id) {
			h.send(ClipboardReply{id, ClipStatus::kData, kClipText, kDefaultClipboardLimit + 1});
		},
		"over the 262144 asked for");
	evil_round(
		[](HostileAgent &h, uint32_t id) {
			h.send(ClipboardReply{id + 1, ClipStatus::kData, kClipText, 10});
		},
		"is not pending");
	evil_round(
		[](HostileAgent &h, uint32_t id) {
			h.send(ClipboardChunk{id, "unasked"});
		},
		"with none active");
	evil_round(
		[](HostileAgent &h, uint32_t id) {
			h.send(ClipboardReply{id, ClipStatus::kEmpty, 0, 0});
			h.send(ClipboardReply{id, ClipStatus::kEmpty, 0, 0});
		},
		"is not pending");
	evil_round(
		[](HostileAgent &h, uint32_t) { h.send(PasteResult{77, PasteStatus::kPasted}); },
		"paste 77 is not pending");
	EXPECT_FALSE(stored().has_value());
	XClient check(dom0_->display());
	EXPECT_TRUE(check.frames_of("evil").empty());

	// A stalled answer: until the deadline a second Ctrl-Shift-C is
	// refused; after it a new request goes out, and the late answer to the
	// old one is read and dropped, not stored and not a violation.
	{
		copy_timeout_ = 1000ms;
		auto [ea, eb] = seqpacket_pair().value();
		auto ge = make_guid("slow", "yellow", std::move(ea));
		ASSERT_TRUE(ge);
		Runner rge(ge.get());
		HostileAgent h(std::move(eb));
		h.start();
		xcb_window_t ef = frame(dom0, "slow");
		ASSERT_TRUE(ef);
		copy_on(dom0, ef);
		uint32_t first = h.wait_request();
		ASSERT_NE(first, 0u);
		copy_on(dom0, ef);
		EXPECT_TRUE(noticed(dom0, "Copy from slow: still waiting for the previous one"));
		std::this_thread::sleep_for(1200ms);
		copy_on(dom0, ef);
		uint32_t second = h.wait_request();
		ASSERT_NE(second, 0u);
		EXPECT_NE(second, first);
		h.send(ClipboardReply{first, ClipStatus::kData, kClipText, 5});
		h.send(ClipboardChunk{first, "stale"});
		h.send(ClipboardReply{second, ClipStatus::kData, kClipText, 5});
		h.send(ClipboardChunk{second, "fresh"});
		EXPECT_TRUE(eventually([&] { return stored().has_value() && stored()->data == "fresh"; }));
		EXPECT_FALSE(rge.done()) << rge.wait_error();
		ASSERT_TRUE(ClipStore::open(store_dir_)->clear().ok());
	}

	// banking and dom0 are unaffected.
	EXPECT_FALSE(rgb.done());
	EXPECT_FALSE(rab.done());
}

} // namespace
} // namespace bulkhead::gui
