// SPDX-License-Identifier: GPL-2.0-only
// start/stop against fake xl, xenstore-write, xenstore-chmod and
// bulkhead-guid scripts that log their arguments.
#include "domain.h"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <csignal>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bulkhead::vm {
namespace {

class DomainTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/bulkhead-domain-test.XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
		log_ = dir_ + "/log";
		// xl: "domid" answers 12 once "create" ran, until "destroy".
		script("xl", "echo \"xl $*\" >> " + log_ + "\n"
			     "case $1 in\n"
			     "domid) [ -e " + dir_ + "/running ] && echo 12 || { echo 'no domain' >&2; exit 1; } ;;\n"
			     "create) touch " + dir_ + "/running ;;\n"
			     "destroy|shutdown) rm -f " + dir_ + "/running ;;\n"
			     "esac\n");
		script("xenstore-write", "echo \"xenstore-write $*\" >> " + log_ + "\n");
		script("xenstore-chmod", "echo \"xenstore-chmod $*\" >> " + log_ + "\n");
		script("bulkhead-guid", "echo \"guid $*\" >> " + log_ + "\nsleep 30\n");
		script("bulkhead-storage", "echo \"storage $*\" >> " + log_ + "\n");
		p_.confdir = dir_;
		p_.rundir = dir_ + "/run";
		p_.logdir = dir_ + "/logs";
		p_.xl = dir_ + "/xl";
		p_.xenstore_write = dir_ + "/xenstore-write";
		p_.xenstore_chmod = dir_ + "/xenstore-chmod";
		p_.guid = dir_ + "/bulkhead-guid";
		p_.storage = dir_ + "/bulkhead-storage";
	}
	void TearDown() override { (void)!system(("rm -rf " + dir_).c_str()); }
	void script(const std::string &name, const std::string &body)
	{
		std::string f = dir_ + "/" + name;
		std::ofstream(f) << "#!/bin/sh\n" << body;
		chmod(f.c_str(), 0755);
	}
	std::string log()
	{
		std::ifstream in(log_);
		std::stringstream ss;
		ss << in.rdbuf();
		return ss.str();
	}
	std::string dir_, log_;
	Paths p_;
};

TEST_F(DomainTest, StartAndStop)
{
	VmConfig vm = parse_vm_config("name=work\nlabel=blue\nmemory=512\nkernel=/k\nrun=xterm -e top\n",
				      "work.conf", "work")
			      .value();
	auto id = start_vm(p_, vm);
	ASSERT_TRUE(id.ok()) << id.error().message;
	EXPECT_EQ(id.value(), 12u);
	// guid was spawned detached; give it a moment to log.
	for (int i = 0; i < 100 && log().find("guid ") == std::string::npos; i++)
		usleep(20000);
	std::string l = log();
	auto at = [&](const std::string &s) { return l.find(s); };
	ASSERT_NE(at("xl create -p -q " + dir_ + "/run/work.xl"), std::string::npos) << l;
	EXPECT_NE(at("xenstore-write /local/domain/12/bulkhead/label blue"), std::string::npos) << l;
	EXPECT_NE(at("xenstore-write /local/domain/12/bulkhead/run xterm -e top"), std::string::npos);
	EXPECT_NE(at("xenstore-chmod -r /local/domain/12/bulkhead n0 r12"), std::string::npos);
	EXPECT_NE(at("guid --vm work --label blue --domid 12 --vchan"), std::string::npos) << l;
	EXPECT_LT(at("xl create"), at("xl unpause work"));
	EXPECT_LT(at("xenstore-chmod"), at("xl unpause work"));

	auto again = start_vm(p_, vm);
	ASSERT_FALSE(again.ok());
	EXPECT_NE(again.error().message.find("already running"), std::string::npos);

	ASSERT_TRUE(stop_vm(p_, "work", false).ok());
	EXPECT_NE(log().find("xl shutdown -w work"), std::string::npos);
	auto not_running = stop_vm(p_, "work", false);
	EXPECT_FALSE(not_running.ok());
}

// An AppVM with storage: its disks in the xl config, and its key offered
// (bulkhead-storage send-key, detached) before it runs.
TEST_F(DomainTest, StartWithStorageOffersTheKey)
{
	VmConfig vm = parse_vm_config("name=work\nlabel=blue\nmemory=512\nkernel=/k\n"
				      "storage_backend=stordom\nstorage_pool=/pool\nstorage_keys=/keys\n",
				      "work.conf", "work")
			      .value();
	ASSERT_TRUE(start_vm(p_, vm).ok());
	for (int i = 0; i < 100 && log().find("storage ") == std::string::npos; i++)
		usleep(20000);
	std::string l = log();
	EXPECT_NE(l.find("storage send-key work --domid 12 --keys /keys --timeout 300"),
		  std::string::npos)
		<< l;
	std::ifstream xl(dir_ + "/run/work.xl");
	std::string cfg((std::istreambuf_iterator<char>(xl)), std::istreambuf_iterator<char>());
	EXPECT_NE(cfg.find("vdev=xvdd,access=rw,target=/pool/work-private.img"), std::string::npos);
	ASSERT_TRUE(stop_vm(p_, "work", true).ok());
}

TEST_F(DomainTest, KeyDeliveryThatCannotRunDestroysTheDomain)
{
	p_.storage = dir_ + "/no-such-storage";
	VmConfig vm = parse_vm_config("name=work\nlabel=blue\nmemory=512\nkernel=/k\n"
				      "storage_backend=stordom\nstorage_pool=/pool\n",
				      "w", "work")
			      .value();
	auto id = start_vm(p_, vm);
	ASSERT_FALSE(id.ok());
	EXPECT_NE(id.error().message.find("cannot run " + p_.storage), std::string::npos);
	EXPECT_NE(log().find("xl destroy work"), std::string::npos) << log();
	EXPECT_EQ(log().find("xl unpause"), std::string::npos) << log();
}

TEST_F(DomainTest, FailedStepDestroysTheDomain)
{
	script("xenstore-write", "exit 1\n");
	VmConfig vm = parse_vm_config("name=work\nlabel=blue\nmemory=512\nkernel=/k\n", "w", "work").value();
	auto id = start_vm(p_, vm);
	ASSERT_FALSE(id.ok());
	EXPECT_NE(log().find("xl destroy work"), std::string::npos) << log();
	EXPECT_EQ(log().find("guid "), std::string::npos);
}

TEST_F(DomainTest, GuidThatCannotRunDestroysTheDomain)
{
	p_.guid = dir_ + "/no-such-guid";
	VmConfig vm = parse_vm_config("name=work\nlabel=blue\nmemory=512\nkernel=/k\n", "w", "work").value();
	auto id = start_vm(p_, vm);
	ASSERT_FALSE(id.ok());
	EXPECT_NE(id.error().message.find("cannot run " + p_.guid), std::string::npos)
		<< id.error().message;
	EXPECT_NE(log().find("xl destroy work"), std::string::npos) << log();
	EXPECT_EQ(log().find("xl unpause"), std::string::npos) << log();
}

// guid died: `bulkhead gui` starts it again, once; never for a halted AppVM.
TEST_F(DomainTest, RestartGui)
{
	VmConfig vm = parse_vm_config("name=work\nlabel=green\nmemory=512\nkernel=/k\n", "w", "work")
			      .value();
	auto halted = restart_gui(p_, vm);
	ASSERT_FALSE(halted.ok());
	EXPECT_NE(halted.error().message.find("not running"), std::string::npos);
	ASSERT_TRUE(start_vm(p_, vm).ok());
	auto running = restart_gui(p_, vm);
	ASSERT_FALSE(running.ok()); // the first guid still runs
	EXPECT_NE(running.error().message.find("is running"), std::string::npos);
	std::ifstream in(dir_ + "/run/work.guid.pid");
	pid_t first = 0;
	in >> first;
	ASSERT_GT(first, 0);
	kill(-first, SIGKILL);
	kill(first, SIGKILL);
	for (int i = 0; i < 100 && kill(first, 0) == 0; i++) {
		waitpid(first, nullptr, WNOHANG);
		usleep(20000);
	}
	auto again = restart_gui(p_, vm);
	ASSERT_TRUE(again.ok()) << again.error().message;
	EXPECT_NE(again.value(), first);
	std::ifstream in2(dir_ + "/run/work.guid.pid");
	pid_t second = 0;
	in2 >> second;
	EXPECT_EQ(second, again.value());
	ASSERT_TRUE(stop_vm(p_, "work", true).ok());
	EXPECT_NE(kill(second, 0) == 0 && waitpid(second, nullptr, WNOHANG) == 0, true);
}

} // namespace
} // namespace bulkhead::vm
