// SPDX-License-Identifier: GPL-2.0-only
#include "device.h"

#include <gtest/gtest.h>
#include <set>

namespace blocksig {
namespace {

using bulkhead::err;
using bulkhead::Result;

// Records every call; fails the operations named in `fail`.
class FakeSystem : public System {
public:
	std::vector<std::string> log;
	std::set<std::string> fail;
	bool root = true;
	std::optional<std::vector<DmTarget>> table;
	std::vector<DmTarget> status;
	std::optional<int32_t> key;
	unsigned next_loop = 0;

	bool is_root() override { return root; }

	Result<Attached> attach_read_only(const std::string &path) override
	{
		log.push_back("attach " + path);
		if (fail.count("attach " + path))
			return err(path + ": no loop device");
		Attached a;
		a.dev = {7, next_loop++};
		a.loop_path = "/dev/loop" + std::to_string(a.dev.minor);
		return a;
	}
	void detach(Attached &a) override { log.push_back("detach " + a.dev.str()); }
	Result<int32_t> add_key(const std::string &desc, std::span<const uint8_t> der) override
	{
		log.push_back("add_key " + desc + " " + std::to_string(der.size()));
		if (fail.count("add_key"))
			return err("keyring full");
		key = 42;
		return 42;
	}
	std::optional<int32_t> find_key(const std::string &desc) override
	{
		log.push_back("find_key " + desc);
		return key;
	}
	void unlink_key(int32_t serial) override
	{
		log.push_back("unlink_key " + std::to_string(serial));
		key.reset();
	}
	Result<std::optional<std::vector<DmTarget>>> dm_table(const std::string &name) override
	{
		log.push_back("dm_table " + name);
		if (fail.count("dm_table"))
			return err("no control device");
		return table;
	}
	Result<std::vector<DmTarget>> dm_status(const std::string &name) override
	{
		log.push_back("dm_status " + name);
		return status;
	}
	Result<void> dm_create_ro(const std::string &name, const DmTarget &t) override
	{
		log.push_back("dm_create_ro " + name + " " + std::to_string(t.start) + " " +
			      std::to_string(t.length) + " " + t.type + " " + t.params);
		if (fail.count("dm_create_ro"))
			return err("device-mapper: cannot create " + name);
		table = std::vector<DmTarget>{t};
		return {};
	}
	Result<void> dm_remove(const std::string &name) override
	{
		log.push_back("dm_remove " + name);
		if (fail.count("dm_remove"))
			return err("busy");
		table.reset();
		return {};
	}
};

const ImageId kId = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

OpenParams params()
{
	OpenParams p;
	p.name = "root";
	p.image = "/img";
	p.meta = "/meta";
	p.image_id = kId;
	p.min_version = 3;
	p.data_sectors = 512;
	p.cert_der = std::vector<uint8_t>(700, 1);
	return p;
}

TEST(TableParams, Format)
{
	EXPECT_EQ(table_params({7, 0}, {7, 1}, "root", kId, 1, {}),
		  "7:0 7:1 blocksig:root 00112233445566778899aabbccddeeff 1");
	EXPECT_EQ(table_params({254, 3}, {8, 16}, "x", kId, 9, {OnCorruption::Restart, 128}),
		  "254:3 8:16 blocksig:x 00112233445566778899aabbccddeeff 9 3 "
		  "restart_on_corruption cache_entries 128");
	EXPECT_EQ(table_params({7, 0}, {7, 1}, "r", kId, 1, {OnCorruption::Panic, {}}),
		  "7:0 7:1 blocksig:r 00112233445566778899aabbccddeeff 1 1 panic_on_corruption");
	EXPECT_EQ(table_params({7, 0}, {7, 1}, "r", kId, 1, {OnCorruption::Ignore, {}}),
		  "7:0 7:1 blocksig:r 00112233445566778899aabbccddeeff 1 1 ignore_corruption");
	EXPECT_EQ(table_params({7, 0}, {7, 1}, "r", kId, 2, {OnCorruption::Eio, 5}),
		  "7:0 7:1 blocksig:r 00112233445566778899aabbccddeeff 2 2 cache_entries 5");
}

TEST(OpenDevice, BuildsExactTable)
{
	FakeSystem sys;
	auto p = params();
	p.opts = {OnCorruption::Ignore, 64};
	auto r = open_device(sys, p);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(sys.log, (std::vector<std::string>{
				   "dm_table root",
				   "attach /img",
				   "attach /meta",
				   "add_key blocksig:root 700",
				   "dm_create_ro root 0 512 blocksig 7:0 7:1 blocksig:root "
				   "00112233445566778899aabbccddeeff 3 3 ignore_corruption "
				   "cache_entries 64",
			   }));
}

TEST(OpenDevice, RefusesNonRootAndExistingName)
{
	FakeSystem sys;
	sys.root = false;
	auto r = open_device(sys, params());
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("needs root"), std::string::npos);
	EXPECT_TRUE(sys.log.empty());
	sys.root = true;
	sys.table = std::vector<DmTarget>{{0, 8, "linear", "8:0 0"}};
	r = open_device(sys, params());
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("already exists"), std::string::npos);
	EXPECT_EQ(sys.log, (std::vector<std::string>{"dm_table root"}));
}

TEST(OpenDevice, UndoesInReverseOrderOnEachFailure)
{
	struct Case {
		const char *fail;
		std::vector<std::string> tail; // calls after the failing one
	} cases[] = {
		{"dm_table", {}},
		{"attach /img", {}},
		{"attach /meta", {"detach 7:0"}},
		{"add_key", {"detach 7:1", "detach 7:0"}},
		{"dm_create_ro", {"unlink_key 42", "detach 7:1", "detach 7:0"}},
	};
	for (auto &c : cases) {
		FakeSystem sys;
		sys.fail.insert(c.fail);
		auto r = open_device(sys, params());
		ASSERT_FALSE(r.ok()) << c.fail;
		size_t at = 0;
		while (at < sys.log.size() && sys.log[at].rfind(c.fail, 0) != 0)
			at++;
		ASSERT_LT(at, sys.log.size()) << c.fail;
		std::vector<std::string> tail(sys.log.begin() + static_cast<long>(at) + 1,
					      sys.log.end());
		EXPECT_EQ(tail, c.tail) << c.fail;
		EXPECT_FALSE(sys.key.has_value()) << c.fail;
	}
}

TEST(OpenDevice, RefusesBadNames)
{
	for (const char *name : {"", "a/b", "a b", ".", ".."}) {
		FakeSystem sys;
		auto p = params();
		p.name = name;
		EXPECT_FALSE(open_device(sys, p).ok()) << name;
		EXPECT_TRUE(sys.log.empty()) << name;
	}
	EXPECT_FALSE(check_name(std::string(128, 'a')).ok());
	EXPECT_TRUE(check_name(std::string(127, 'a')).ok());
}

TEST(CloseDevice, RemovesDeviceThenKey)
{
	FakeSystem sys;
	ASSERT_TRUE(open_device(sys, params()).ok());
	sys.log.clear();
	auto r = close_device(sys, "root");
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(sys.log, (std::vector<std::string>{"dm_table root", "dm_remove root",
						     "find_key blocksig:root", "unlink_key 42"}));
	// Key already gone: still fine.
	ASSERT_TRUE(open_device(sys, params()).ok());
	sys.key.reset();
	EXPECT_TRUE(close_device(sys, "root").ok());
}

TEST(CloseDevice, Refusals)
{
	FakeSystem sys;
	auto r = close_device(sys, "root");
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().message, "no blocksig device root");
	sys.table = std::vector<DmTarget>{{0, 8, "linear", "8:0 0"}};
	r = close_device(sys, "root");
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("not a blocksig device"), std::string::npos);
	sys.root = false;
	EXPECT_NE(close_device(sys, "root").error().message.find("needs root"), std::string::npos);
	EXPECT_EQ(std::count(sys.log.begin(), sys.log.end(), "dm_remove root"), 0);
}

TEST(StatusDevice, ParsesTableAndStatus)
{
	FakeSystem sys;
	auto p = params();
	p.opts = {OnCorruption::Restart, 16};
	ASSERT_TRUE(open_device(sys, p).ok());
	sys.status = {{0, 512, "blocksig", "verified=10 cached=4 failed=1 version=3"}};
	auto st = status_device(sys, "root");
	ASSERT_TRUE(st.ok()) << st.error().message;
	EXPECT_EQ(st->data_dev, "7:0");
	EXPECT_EQ(st->meta_dev, "7:1");
	EXPECT_EQ(st->key_desc, "blocksig:root");
	EXPECT_EQ(st->image_id, "00112233445566778899aabbccddeeff");
	EXPECT_EQ(st->min_version, 3u);
	EXPECT_EQ(st->sectors, 512u);
	EXPECT_EQ(st->options,
		  (std::vector<std::string>{"restart_on_corruption", "cache_entries", "16"}));
	EXPECT_EQ(st->status_line, "verified=10 cached=4 failed=1 version=3");
	EXPECT_EQ(st->fields.size(), 4u);
	EXPECT_EQ(st->fields[2], (std::pair<std::string, std::string>{"failed", "1"}));
}

TEST(StatusDevice, NotBlocksig)
{
	FakeSystem sys;
	EXPECT_EQ(status_device(sys, "x").error().message, "no blocksig device x");
	sys.table = std::vector<DmTarget>{{0, 8, "verity", "..."}};
	EXPECT_EQ(status_device(sys, "x").error().message,
		  "x is not a blocksig device (target verity)");
}

} // namespace
} // namespace blocksig
