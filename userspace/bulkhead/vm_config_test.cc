// SPDX-License-Identifier: GPL-2.0-only
#include "vm_config.h"

#include <gtest/gtest.h>

namespace bulkhead::vm {
namespace {

const char *kGood = R"(# the work AppVM
name = work
label = blue
memory = 1024
vcpus = 2
kernel = /var/lib/bulkhead/vmlinuz
ramdisk = /var/lib/bulkhead/initrd.img
cmdline = console=hvc0 quiet
run = xterm -geometry 80x24
)";

std::string error_of(const std::string &text, const std::string &name = "")
{
	auto r = parse_vm_config(text, "t.conf", name);
	return r.ok() ? "" : r.error().message;
}

TEST(VmConfig, Good)
{
	auto r = parse_vm_config(kGood, "work.conf", "work");
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(r->name, "work");
	EXPECT_EQ(r->label, "blue");
	EXPECT_EQ(r->memory_mib, 1024u);
	EXPECT_EQ(r->vcpus, 2u);
	EXPECT_EQ(r->ramdisk, "/var/lib/bulkhead/initrd.img");
	EXPECT_EQ(r->run, "xterm -geometry 80x24");
	std::string xl = xl_config(*r);
	EXPECT_NE(xl.find("name = \"work\""), std::string::npos);
	EXPECT_NE(xl.find("memory = 1024"), std::string::npos);
	EXPECT_NE(xl.find("extra = \"console=hvc0 quiet\""), std::string::npos);
}

TEST(VmConfig, Minimal)
{
	auto r = parse_vm_config("name=a\nlabel=red\nmemory=256\nkernel=/k\n", "a.conf", "a");
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(r->vcpus, 1u);
	EXPECT_TRUE(r->ramdisk.empty());
}

TEST(VmConfig, Errors)
{
	std::string base = "name=a\nlabel=red\nmemory=256\nkernel=/k\n";
	EXPECT_NE(error_of(base + "colour=red\n").find("t.conf:5: unknown key 'colour'"), std::string::npos);
	EXPECT_NE(error_of(base + "memory=512\n").find("given twice"), std::string::npos);
	EXPECT_NE(error_of("name=a\nlabel=pink\nmemory=256\nkernel=/k\n").find("unknown label"), std::string::npos);
	EXPECT_NE(error_of("name=a\nlabel=red\nmemory=64\nkernel=/k\n").find("out of range"), std::string::npos);
	EXPECT_NE(error_of("name=a\nlabel=red\nmemory=12x\nkernel=/k\n").find("not a decimal"), std::string::npos);
	EXPECT_NE(error_of("name=a\nlabel=red\nmemory=256\nkernel=k\n").find("absolute"), std::string::npos);
	EXPECT_NE(error_of("name=a\nlabel=red\nmemory=256\nkernel=/a/../etc/shadow\n").find(".."), std::string::npos);
	EXPECT_NE(error_of("name=a\nlabel=red\nmemory=256\n").find("missing 'kernel'"), std::string::npos);
	EXPECT_NE(error_of("name=a b\nlabel=red\nmemory=256\nkernel=/k\n").find("name"), std::string::npos);
	EXPECT_NE(error_of("name=-x\nlabel=red\nmemory=256\nkernel=/k\n").find("start with"), std::string::npos);
	EXPECT_NE(error_of("name=Domain-0\nlabel=red\nmemory=256\nkernel=/k\n").find("reserved"), std::string::npos);
	EXPECT_NE(error_of(base + "cmdline=a\"b\n").find("printable"), std::string::npos);
	EXPECT_NE(error_of(base + "run=a\x01\n").find("printable"), std::string::npos);
	EXPECT_NE(error_of(base + "just words\n").find("key = value"), std::string::npos);
	EXPECT_NE(error_of(base, "b").find("does not match"), std::string::npos);
	EXPECT_NE(error_of(base + "vcpus=0\n").find("out of range"), std::string::npos);
	EXPECT_NE(error_of(std::string(20000, '#')).find("larger"), std::string::npos);
}

// Storage served by a storage domain: the four disks in the xl config, in the
// order the AppVM's bulkhead-storage expects; values that would break xl's
// disk specification are refused.
TEST(VmConfig, StorageDisks)
{
	std::string base = "name=work\nlabel=blue\nmemory=256\nkernel=/k\n";
	auto r = parse_vm_config(base + "storage_backend=stordom\nstorage_pool=/pool\n", "t.conf");
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(r->storage_keys, "/var/lib/bulkhead/storage/keys");
	std::string xl = xl_config(*r);
	const char *c = "'backend=stordom,format=raw,backendtype=phy,script=block,";
	EXPECT_NE(xl.find(std::string("disk = [ ") + c + "vdev=xvda,access=ro,target=/pool/base.img', " +
			  c + "vdev=xvdb,access=ro,target=/pool/base.meta', " + c +
			  "vdev=xvdc,access=rw,target=/pool/work-overlay.img', " + c +
			  "vdev=xvdd,access=rw,target=/pool/work-private.img' ]\n"),
		  std::string::npos)
		<< xl;
	r = parse_vm_config(base + "storage_backend=sd\nstorage_pool=/p\nstorage_script=/etc/x/b-f\n"
				   "storage_keys=/k\n",
			    "t.conf");
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_NE(xl_config(*r).find("script=/etc/x/b-f,vdev=xvda"), std::string::npos);
	EXPECT_EQ(xl_config(parse_vm_config(base, "t.conf").value()).find("disk"), std::string::npos);

	auto error_of = [&](const std::string &extra) {
		auto e = parse_vm_config(base + extra, "t.conf");
		return e.ok() ? std::string() : e.error().message;
	};
	EXPECT_NE(error_of("storage_backend=sd\n").find("'storage_backend' needs 'storage_pool'"),
		  std::string::npos);
	EXPECT_NE(error_of("storage_pool=/p\n").find("'storage_pool' without 'storage_backend'"),
		  std::string::npos);
	for (const char *bad : {"/p,target=/etc/shadow", "/p'x", "/p q", "p", "/a/../b"})
		EXPECT_NE(error_of("storage_backend=sd\nstorage_pool=" + std::string(bad) + "\n"), "")
			<< bad;
	EXPECT_NE(error_of("storage_backend=s,d\nstorage_pool=/p\n"), "");
	EXPECT_NE(error_of("storage_backend=sd\nstorage_pool=/p\nstorage_script=b,x\n"), "");
}

TEST(VmConfig, LoadRejectsBadNames)
{
	auto r = load_vm_config("/nonexistent", "../etc/passwd");
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("VM name"), std::string::npos);
}

} // namespace
} // namespace bulkhead::vm
