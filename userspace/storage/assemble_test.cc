// SPDX-License-Identifier: GPL-2.0-only
#include "assemble.h"

#include <gtest/gtest.h>

#include "fakes.h"

namespace storage {
namespace {

struct AssembleTest : ::testing::Test {
	GuestConfig cfg;
	fake::World w;
	fake::Dm dm{w};
	fake::FakeCrypt crypt{w};
	fake::Base base{w};
	fake::FakeHost host{w};
	fake::Keys keys{w};

	bool nothing_left() const { return w.mapped.empty() && w.mounts.empty(); }
};

TEST_F(AssembleTest, BuildsTheStackInOrder)
{
	Assembler as(cfg, dm, crypt, base, host, keys);
	ASSERT_TRUE(as.assemble().ok());
	std::vector<std::string> want = {
		"base.open bulkhead-base",
		"crypt.open_ephemeral bulkhead-overlay /dev/xvdc",
		"host.block_sectors /dev/mapper/bulkhead-base",
		"host.block_sectors /dev/mapper/bulkhead-overlay",
		"dm.create bulkhead-root",
		"host.mkdir_p /root",
		"host.mount /dev/mapper/bulkhead-root /root ext4",
		"keys.fetch ",
		"crypt.open_luks2 bulkhead-private /dev/xvdd",
		"host.mkdir_p /root/rw",
		"host.mount /dev/mapper/bulkhead-private /root/rw ext4",
	};
	EXPECT_EQ(w.log, want);
	ASSERT_EQ(w.last_table.size(), 1u);
	EXPECT_EQ(w.last_table[0],
		  (DmTarget{0, 524288, "snapshot",
			    "/dev/mapper/bulkhead-base /dev/mapper/bulkhead-overlay N 8"}));
	EXPECT_EQ(base.last.image, "/dev/xvda");
	EXPECT_EQ(base.last.meta, "/dev/xvdb");
	EXPECT_EQ(base.last.min_version, 1u);
	EXPECT_EQ(base.last.image_id, "");
	EXPECT_EQ(w.formats, 0);
}

TEST_F(AssembleTest, PinnedImageIdAndVersionReachTheVerifier)
{
	ASSERT_TRUE(parse_config("base_min_version = 5\n"
				 "base_image_id = F52E882D2ED72024040796EB602E428E\n",
				 cfg)
			    .ok());
	Assembler as(cfg, dm, crypt, base, host, keys);
	ASSERT_TRUE(as.assemble().ok());
	EXPECT_EQ(base.last.min_version, 5u);
	EXPECT_EQ(base.last.image_id, "f52e882d2ed72024040796eb602e428e");
}

TEST_F(AssembleTest, PrefixAndMountsFollowTheConfig)
{
	cfg.dm_prefix = "vm7";
	cfg.root_mount = "/sysroot/";
	cfg.private_mount = "home";
	w.sectors = {{"/dev/mapper/vm7-base", 100}, {"/dev/mapper/vm7-overlay", 100}};
	Assembler as(cfg, dm, crypt, base, host, keys);
	ASSERT_TRUE(as.assemble().ok());
	EXPECT_EQ(w.mounts["/sysroot/"], "/dev/mapper/vm7-root");
	EXPECT_EQ(w.mounts["/sysroot/home"], "/dev/mapper/vm7-private");
}

// Every step that can fail: the error names the step, and nothing is left
// set up (no fallback to a partial, unverified or plaintext stack).
class FailAt : public AssembleTest, public ::testing::WithParamInterface<const char *> {};

TEST_P(FailAt, UndoesEverythingAndSaysWhich)
{
	w.fail.insert(GetParam());
	Assembler as(cfg, dm, crypt, base, host, keys);
	auto r = as.assemble();
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("failed (injected)"), std::string::npos)
		<< r.error().message;
	EXPECT_TRUE(nothing_left()) << r.error().message;
	EXPECT_EQ(w.formats, 0);
}

INSTANTIATE_TEST_SUITE_P(Steps, FailAt,
			 ::testing::Values("base.open", "crypt.open_ephemeral",
					   "host.block_sectors", "dm.create", "host.mkdir_p",
					   "host.mount", "keys.fetch", "crypt.open_luks2"));

TEST_F(AssembleTest, WrongKeyRefusesAndWritesNothing)
{
	keys.key.assign(64, 0x13);
	Assembler as(cfg, dm, crypt, base, host, keys);
	auto r = as.assemble();
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("private volume (LUKS2 /dev/xvdd)"), std::string::npos)
		<< r.error().message;
	EXPECT_NE(r.error().message.find("does not match"), std::string::npos);
	EXPECT_TRUE(nothing_left());
	EXPECT_EQ(w.formats, 0);
}

TEST_F(AssembleTest, MissingKeyNamesTheKeySource)
{
	w.fail.insert("keys.fetch");
	Assembler as(cfg, dm, crypt, base, host, keys);
	auto r = as.assemble();
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().message.rfind("private volume key (fake key source)", 0), 0u)
		<< r.error().message;
}

TEST_F(AssembleTest, MissingDeviceIsRefusedBeforeAnythingRuns)
{
	w.paths.erase("/dev/xvdb");
	Assembler as(cfg, dm, crypt, base, host, keys);
	auto r = as.assemble();
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().message, "base metadata /dev/xvdb does not exist");
	EXPECT_TRUE(w.log.empty());
}

TEST_F(AssembleTest, RefusesWhenAlreadyAssembled)
{
	w.mapped.insert("bulkhead-root");
	Assembler as(cfg, dm, crypt, base, host, keys);
	auto r = as.assemble();
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("already exists"), std::string::npos);
	EXPECT_TRUE(w.log.empty());
}

TEST_F(AssembleTest, TinyOverlayIsRefused)
{
	w.sectors["/dev/mapper/bulkhead-overlay"] = 8;
	Assembler as(cfg, dm, crypt, base, host, keys);
	auto r = as.assemble();
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("too small"), std::string::npos);
	EXPECT_TRUE(nothing_left());
}

TEST_F(AssembleTest, TeardownUndoesInReverse)
{
	{
		Assembler as(cfg, dm, crypt, base, host, keys);
		ASSERT_TRUE(as.assemble().ok());
	}
	// The stack outlives the Assembler that built it.
	EXPECT_FALSE(nothing_left());
	w.log.clear();
	Assembler as(cfg, dm, crypt, base, host, keys);
	ASSERT_TRUE(as.teardown().ok());
	std::vector<std::string> want = {
		"host.umount /root/rw",	       "crypt.close bulkhead-private",
		"host.umount /root",	       "dm.remove bulkhead-root",
		"crypt.close bulkhead-overlay", "base.close bulkhead-base",
	};
	EXPECT_EQ(w.log, want);
	EXPECT_TRUE(nothing_left());
}

TEST_F(AssembleTest, TeardownReportsEveryFailureAndGoesOn)
{
	{
		Assembler as(cfg, dm, crypt, base, host, keys);
		ASSERT_TRUE(as.assemble().ok());
	}
	w.fail.insert("dm.remove");
	Assembler as(cfg, dm, crypt, base, host, keys);
	auto r = as.teardown();
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("remove bulkhead-root"), std::string::npos);
	EXPECT_FALSE(w.mapped.count("bulkhead-private"));
}

TEST_F(AssembleTest, OpenPrivateAlone)
{
	Assembler as(cfg, dm, crypt, base, host, keys);
	ASSERT_TRUE(as.open_private().ok());
	EXPECT_EQ(w.mounts["/root/rw"], "/dev/mapper/bulkhead-private");
	EXPECT_FALSE(w.mapped.count("bulkhead-root"));
}

} // namespace
} // namespace storage
