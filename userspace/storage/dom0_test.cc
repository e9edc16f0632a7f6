// SPDX-License-Identifier: GPL-2.0-only
#include "dom0.h"

#include <cstdlib>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakes.h"

namespace storage {
namespace {

struct TempDir {
	std::string path;
	TempDir()
	{
		char t[] = "/tmp/storage_test.XXXXXX";
		path = mkdtemp(t);
	}
	~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

mode_t mode_of(const std::string &p)
{
	struct stat st;
	return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

TEST(VmName, Checks)
{
	EXPECT_TRUE(check_vm_name("work-1.b_c").ok());
	EXPECT_FALSE(check_vm_name("").ok());
	EXPECT_FALSE(check_vm_name("../etc").ok());
	EXPECT_FALSE(check_vm_name("a/b").ok());
	EXPECT_FALSE(check_vm_name("-x").ok());
	EXPECT_FALSE(check_vm_name(std::string(65, 'a')).ok());
}

TEST(KeyStore, CreateLoadNeverReplace)
{
	TempDir t;
	KeyStore ks(t.path + "/keys");
	auto k = ks.create("work");
	ASSERT_TRUE(k.ok()) << k.error().message;
	EXPECT_EQ(k->size(), 64u);
	EXPECT_EQ(mode_of(t.path + "/keys"), 0700u);
	EXPECT_EQ(mode_of(ks.path("work")), 0600u);
	auto l = ks.load("work");
	ASSERT_TRUE(l.ok()) << l.error().message;
	EXPECT_TRUE(*l == *k);
	auto again = ks.create("work");
	ASSERT_FALSE(again.ok());
	EXPECT_NE(again.error().message.find("exists already"), std::string::npos);
	EXPECT_TRUE(ks.load("work").value() == *k);
	auto other = ks.load("personal");
	ASSERT_FALSE(other.ok());
	EXPECT_EQ(other.error().message, "no key for personal in the key store");
	EXPECT_FALSE(ks.load("../keys/work").ok());
}

TEST(KeyStore, RefusesAnOpenDirectoryOrKey)
{
	TempDir t;
	KeyStore ks(t.path + "/keys");
	ASSERT_TRUE(ks.create("work").ok());
	chmod(ks.path("work").c_str(), 0644);
	EXPECT_FALSE(ks.load("work").ok());
	chmod(ks.path("work").c_str(), 0600);
	chmod((t.path + "/keys").c_str(), 0755);
	auto r = ks.load("work");
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("must be mode 0700"), std::string::npos);
}

TEST(CreateVolumes, FormatsOnceAndMakesTheFileSystemThroughDmCrypt)
{
	TempDir t;
	fake::World w;
	fake::FakeCrypt crypt(w);
	KeyStore ks(t.path + "/keys");
	PoolLayout pool{t.path};
	std::vector<std::string> mkfs_calls;
	auto mkfs = [&](const std::string &prog, const std::string &dev) -> Result<void> {
		mkfs_calls.push_back(prog + " " + dev);
		return {};
	};
	CreateOptions o{"work", 1 << 20, 4 << 20, "mke2fs"};
	auto r = create_vm_volumes(o, pool, ks, crypt, mkfs);
	ASSERT_TRUE(r.ok()) << r.error().message;
	std::vector<std::string> want = {
		"crypt.format_luks2 " + pool.priv("work"),
		"crypt.open_luks2 bulkhead-create-work " + pool.priv("work"),
		"crypt.close bulkhead-create-work",
	};
	EXPECT_EQ(w.log, want);
	EXPECT_EQ(mkfs_calls, std::vector<std::string>{"mke2fs /dev/mapper/bulkhead-create-work"});
	struct stat st;
	ASSERT_EQ(::stat(pool.priv("work").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 1 << 20);
	ASSERT_EQ(::stat(pool.overlay("work").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 4 << 20);
	// The key the volume was formatted with is the one in the store.
	auto stored = ks.load("work");
	ASSERT_TRUE(stored.ok());
	EXPECT_EQ(std::vector<uint8_t>(stored->bytes().begin(), stored->bytes().end()),
		  w.luks_key);
	// Never twice: the private volume and its key stay.
	auto again = create_vm_volumes(o, pool, ks, crypt, mkfs);
	ASSERT_FALSE(again.ok());
	EXPECT_EQ(w.formats, 1);
}

TEST(CreateVolumes, FailureRemovesWhatItCreated)
{
	TempDir t;
	fake::World w;
	fake::FakeCrypt crypt(w);
	KeyStore ks(t.path + "/keys");
	PoolLayout pool{t.path};
	auto mkfs = [](const std::string &, const std::string &) -> Result<void> {
		return bulkhead::err("mkfs exploded");
	};
	auto r = create_vm_volumes({"work", 1 << 20, 1 << 20, "mkfs.ext4"}, pool, ks, crypt, mkfs);
	ASSERT_FALSE(r.ok());
	EXPECT_EQ(r.error().message, "file system on the private volume: mkfs exploded");
	EXPECT_FALSE(ks.has("work"));
	EXPECT_NE(::access(pool.priv("work").c_str(), F_OK), 0);
	EXPECT_TRUE(w.mapped.empty());
}

TEST(XlDisks, NameTheStorageDomainAndTheLayout)
{
	PoolLayout pool{"/pool"};
	auto d = xl_disks("work", pool, "stordom");
	ASSERT_EQ(d.size(), 4u);
	EXPECT_EQ(d[0], "backend=stordom,format=raw,backendtype=phy,script=block,vdev=xvda,"
			"access=ro,target=/pool/base.img");
	EXPECT_EQ(d[3], "backend=stordom,format=raw,backendtype=phy,script=block,vdev=xvdd,"
			"access=rw,target=/pool/work-private.img");
	EXPECT_EQ(xl_disk_line({"a", "b"}), "disk = [ 'a', 'b' ]");
}

} // namespace
} // namespace storage
