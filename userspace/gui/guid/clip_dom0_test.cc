// SPDX-License-Identifier: GPL-2.0-only
// dom0's clipboard parts without X: the store, the policy, shortcuts and
// guid's clipboard configuration.
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "bulkhead/gui/protocol.h"
#include "clip_policy.h"
#include "clip_store.h"
#include "clipboard.h"
#include "shortcut.h"

namespace bulkhead::gui {
namespace {

class TempDir {
public:
	TempDir()
	{
		char t[] = "/tmp/bh-clip-XXXXXX";
		path = mkdtemp(t);
	}
	~TempDir() { std::filesystem::remove_all(path); }
	std::string path;
};

ClipEntry entry(std::string vm, std::string label, uint32_t format, std::string data)
{
	ClipEntry e;
	e.source_vm = std::move(vm);
	e.source_label = std::move(label);
	e.time = 1764200000;
	e.format = format;
	e.data = std::move(data);
	return e;
}

auto yes = [](const ClipEntry &) { return true; };
auto no = [](const ClipEntry &) { return false; };

TEST(ClipStore, PutTakeOneShot)
{
	TempDir t;
	auto st = ClipStore::open(t.path + "/clip");
	ASSERT_TRUE(st.ok()) << st.error().message;
	struct stat sb;
	ASSERT_EQ(stat((t.path + "/clip").c_str(), &sb), 0);
	EXPECT_EQ(sb.st_mode & 0777, 0700u);
	auto none = st->take(yes, true);
	ASSERT_TRUE(none.ok());
	EXPECT_FALSE(*none);

	std::string text = "line one\nl\xc3\xa9ne two\n";
	ASSERT_TRUE(st->put(entry("work", "blue", kClipText, text)).ok());
	for (const char *f : {"/clip/data", "/clip/meta"}) {
		ASSERT_EQ(stat((t.path + f).c_str(), &sb), 0) << f;
		EXPECT_EQ(sb.st_mode & 0777, 0600u) << f;
	}
	std::ifstream m(t.path + "/clip/meta");
	std::stringstream ms;
	ms << m.rdbuf();
	EXPECT_EQ(ms.str(), "source=work\nlabel=blue\ntime=1764200000\nsize=" +
				    std::to_string(text.size()) + "\ntype=text/plain;charset=utf-8\n");

	// Denied: stays. Peek without consuming: stays.
	auto d = st->take(no, true);
	ASSERT_TRUE(d.ok() && *d);
	auto p = st->take(yes, false);
	ASSERT_TRUE(p.ok() && *p);
	EXPECT_EQ((*p)->data, text);
	// One-shot paste: gone afterwards.
	auto got = st->take(yes, true);
	ASSERT_TRUE(got.ok() && *got);
	EXPECT_EQ((*got)->source_vm, "work");
	EXPECT_EQ((*got)->source_label, "blue");
	EXPECT_EQ((*got)->format, kClipText);
	EXPECT_EQ((*got)->data, text);
	auto after = st->take(yes, true);
	ASSERT_TRUE(after.ok());
	EXPECT_FALSE(*after);

	// A new copy replaces the old one; clear empties.
	ASSERT_TRUE(st->put(entry("a", "red", kClipText, "old")).ok());
	ASSERT_TRUE(st->put(entry("b", "green", kClipPng, std::string(1000, '\x89'))).ok());
	auto last = st->take(yes, false);
	ASSERT_TRUE(last.ok() && *last);
	EXPECT_EQ((*last)->source_vm, "b");
	EXPECT_EQ((*last)->format, kClipPng);
	ASSERT_TRUE(st->clear().ok());
	EXPECT_FALSE(st->take(yes, false).value());
	EXPECT_FALSE(st->put(entry("a", "red", kClipText, "")).ok()) << "empty entry";
}

TEST(ClipStore, RefusesUnsafeDirectories)
{
	TempDir t;
	std::string open_dir = t.path + "/open";
	ASSERT_EQ(mkdir(open_dir.c_str(), 0777), 0);
	chmod(open_dir.c_str(), 0777);
	EXPECT_FALSE(ClipStore::open(open_dir).ok()) << "world-writable";
	ASSERT_EQ(symlink(open_dir.c_str(), (t.path + "/link").c_str()), 0);
	EXPECT_FALSE(ClipStore::open(t.path + "/link").ok()) << "symlink";
	std::ofstream(t.path + "/file") << "x";
	EXPECT_FALSE(ClipStore::open(t.path + "/file").ok()) << "a file";
	EXPECT_FALSE(ClipStore::open("relative/dir").ok());
}

TEST(ClipStore, TamperedFilesRefused)
{
	TempDir t;
	auto st = ClipStore::open(t.path + "/clip");
	ASSERT_TRUE(st.ok());
	ASSERT_TRUE(st->put(entry("work", "blue", kClipText, "hello")).ok());
	// data replaced behind the meta's back: size mismatch.
	std::ofstream(t.path + "/clip/data") << "hello, world";
	EXPECT_FALSE(st->take(yes, false).ok());
	// data a symlink: refused, not followed.
	unlink((t.path + "/clip/data").c_str());
	ASSERT_EQ(symlink("/etc/passwd", (t.path + "/clip/data").c_str()), 0);
	EXPECT_FALSE(st->take(yes, false).ok());
}

TEST(ClipStore, MetaParser)
{
	std::string good = "source=work\nlabel=blue\ntime=5\nsize=3\ntype=image/png\n";
	auto e = parse_clip_meta(good, 100);
	ASSERT_TRUE(e.ok()) << e.error().message;
	EXPECT_EQ(e->format, kClipPng);
	EXPECT_EQ(e->data.size(), 3u);
	EXPECT_FALSE(parse_clip_meta(good + "size=3\n", 100).ok()) << "twice";
	EXPECT_FALSE(parse_clip_meta("source=work\n", 100).ok()) << "missing keys";
	EXPECT_FALSE(parse_clip_meta(good, 2).ok()) << "size over max";
	EXPECT_FALSE(parse_clip_meta("source=../x\nlabel=blue\ntime=5\nsize=3\ntype=image/png\n", 100).ok());
	EXPECT_FALSE(parse_clip_meta("source=w\nlabel=blue\ntime=5\nsize=3\ntype=text/html\n", 100).ok());
	EXPECT_FALSE(parse_clip_meta("source=w\nlabel=blue\ntime=-5\nsize=3\ntype=image/png\n", 100).ok());
	EXPECT_FALSE(parse_clip_meta("source=w\nlabel=blue\ntime=5\nsize=3\ntype=image/png", 100).ok());
}

TEST(ClipPolicy, FirstMatchWins)
{
	auto p = ClipPolicy::parse("# comment\n"
				   "label:red   banking   deny   # untrusted never into banking\n"
				   "work        banking   allow\n"
				   "*           label:red deny\n"
				   "\n"
				   "*           *         allow\n");
	ASSERT_TRUE(p.ok()) << p.error().message;
	EXPECT_FALSE(p->decide("untrusted", "red", "banking", "green").allow);
	EXPECT_EQ(p->decide("untrusted", "red", "banking", "green").line, 2);
	EXPECT_TRUE(p->decide("work", "blue", "banking", "green").allow);
	EXPECT_FALSE(p->decide("work", "blue", "sandbox", "red").allow);
	EXPECT_TRUE(p->decide("personal", "yellow", "work", "blue").allow);
	EXPECT_TRUE(p->decide("untrusted", "red", "work", "blue").allow);
	// No rule matches: deny.
	auto q = ClipPolicy::parse("work banking allow\n");
	ASSERT_TRUE(q.ok());
	EXPECT_FALSE(q->decide("work", "blue", "personal", "yellow").allow);
	// No file: allow.
	EXPECT_TRUE(ClipPolicy::load("/nonexistent/clipboard.policy")->decide("a", "red", "b", "green").allow);
}

TEST(ClipPolicy, SyntaxErrors)
{
	for (const char *bad : {"work banking\n", "work banking maybe\n", "label:pink * deny\n",
				"wo/rk * allow\n", "a b allow extra\n"}) {
		auto p = ClipPolicy::parse(bad);
		EXPECT_FALSE(p.ok()) << bad;
		if (!p.ok()) {
			EXPECT_NE(p.error().message.find("line 1"), std::string::npos);
		}
	}
}

TEST(Shortcut, ParseAndMatch)
{
	auto c = parse_shortcut("ctrl+shift+c");
	ASSERT_TRUE(c.ok());
	EXPECT_EQ(c->mods, kModControl | kModShift);
	EXPECT_EQ(c->keysym, uint32_t('c'));
	EXPECT_EQ(parse_shortcut("Alt+Insert")->keysym, 0xff63u);
	EXPECT_EQ(parse_shortcut("super+F5")->keysym, 0xffc2u);
	EXPECT_EQ(parse_shortcut("ctrl+shift+V")->keysym, uint32_t('v'));
	EXPECT_EQ(parse_shortcut("ctrl+0x78")->keysym, 0x78u);
	for (const char *bad : {"c", "ctrl+", "hyper+c", "ctrl+ctrl+c", "ctrl+F13", "ctrl+foo", "ctrl+0x"})
		EXPECT_FALSE(parse_shortcut(bad).ok()) << bad;

	// keycodes 8..: 8 -> c/C, 9 -> v/V, 10 -> Control_L
	Keymap map(8, 2, {'c', 'C', 'v', 'V', 0xffe3, 0});
	EXPECT_EQ(map.keycode('v'), 9);
	EXPECT_EQ(map.keycode(0xffe3), 10);
	EXPECT_EQ(map.keycode('x'), 0);
	const uint16_t lock = 2, numlock = 16;
	EXPECT_TRUE(map.matches(*c, 8, kModControl | kModShift));
	EXPECT_TRUE(map.matches(*c, 8, kModControl | kModShift | lock | numlock)) << "locks ignored";
	EXPECT_FALSE(map.matches(*c, 8, kModControl)) << "shift missing";
	EXPECT_FALSE(map.matches(*c, 8, kModControl | kModShift | kModAlt)) << "extra modifier";
	EXPECT_FALSE(map.matches(*c, 9, kModControl | kModShift)) << "other key";
}

TEST(ClipConfig, File)
{
	ClipboardConfig cfg;
	auto r = parse_clipboard_config("# dom0 clipboard\n"
					"copy-key = ctrl+alt+c\n"
					"paste-key = ctrl+alt+v\n"
					"max-bytes = 1048576\n"
					"one-shot = no\n"
					"dir = /run/x\n"
					"policy = /etc/x.policy\n"
					"notify-command = notify-send\n"
					"notify-seconds = 0\n",
					cfg);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(cfg.copy_key, "ctrl+alt+c");
	EXPECT_EQ(cfg.limit, 1048576u);
	EXPECT_FALSE(cfg.one_shot);
	EXPECT_EQ(cfg.store_dir, "/run/x");
	EXPECT_EQ(cfg.notify_command, "notify-send");
	EXPECT_EQ(cfg.notify_seconds, 0u);
	ClipboardConfig d;
	EXPECT_EQ(d.limit, 256u * 1024);
	EXPECT_TRUE(d.one_shot);
	for (const char *bad : {"max-bytes = 0\n", "max-bytes = 99999999\n", "one-shot = maybe\n",
				"copy-key = c\n", "colour = red\n", "just words\n"})
		EXPECT_FALSE(parse_clipboard_config(bad, d).ok()) << bad;
}

} // namespace
} // namespace bulkhead::gui
