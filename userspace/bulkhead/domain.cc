// SPDX-License-Identifier: GPL-2.0-only
#include "domain.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulkhead/unique_fd.h"

namespace bulkhead::vm {
namespace {

std::string join(const std::vector<std::string> &argv)
{
	std::string s;
	for (const auto &a : argv)
		s += (s.empty() ? "" : " ") + a;
	return s;
}

Result<void> write_file(const std::string &path, const std::string &text, mode_t mode)
{
	std::string tmp = path + ".tmp";
	TRY_ASSIGN(unique_fd fd, unique_fd::open(tmp, O_WRONLY | O_CREAT | O_TRUNC, int(mode)));
	if (::write(fd.get(), text.data(), text.size()) != ssize_t(text.size()))
		return Error::from_errno(tmp, errno);
	if (rename(tmp.c_str(), path.c_str()) < 0)
		return Error::from_errno(path, errno);
	return ok();
}

// pid of a running bulkhead-guid for vm, from its pid file.
std::optional<pid_t> guid_pid(const Paths &p, const std::string &name)
{
	std::ifstream in(p.rundir + "/" + name + ".guid.pid");
	long pid = 0;
	if (!(in >> pid) || pid <= 1)
		return std::nullopt;
	// Only trust it if that process really is our guid for this VM.
	std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
	std::string c((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
	if (c.find("bulkhead-guid") == std::string::npos ||
	    c.find(std::string("\0--vm\0", 6) + name + std::string("\0", 1)) == std::string::npos)
		return std::nullopt;
	return pid_t(pid);
}

// Starts ARGV in its own session, stdout and stderr appended to LOG; returns
// once it runs (exec succeeded) or says why it cannot.
Result<pid_t> spawn_detached(std::vector<std::string> argv, const std::string &log)
{
	// Closed by a successful exec: once it reads EOF, the child is guid
	// (its /proc cmdline says so, see guid_pid); else it carries exec's errno.
	int exec_pipe[2];
	if (pipe2(exec_pipe, O_CLOEXEC) < 0)
		return Error::from_errno("pipe2", errno);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(exec_pipe[0]);
		close(exec_pipe[1]);
		return Error::from_errno("fork", e);
	}
	if (pid == 0) {
		close(exec_pipe[0]);
		setsid();
		int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (null >= 0)
			dup2(null, 0);
		std::vector<char *> a;
		for (auto &s : argv)
			a.push_back(s.data());
		a.push_back(nullptr);
		execvp(a[0], a.data());
		int e = errno;
		(void)!write(exec_pipe[1], &e, sizeof(e));
		_exit(127);
	}
	close(exec_pipe[1]);
	int child_errno = 0;
	ssize_t n;
	do
		n = read(exec_pipe[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(exec_pipe[0]);
	if (n > 0) {
		(void)waitpid(pid, nullptr, 0);
		return Error::from_errno("cannot run " + argv[0], child_errno);
	}
	return pid;
}

Result<pid_t> spawn_guid(const Paths &p, const VmConfig &vm, uint32_t domid)
{
	mkdir(p.logdir.c_str(), 0750);
	return spawn_detached({p.guid, "--vm", vm.name, "--label", vm.label, "--domid",
			       std::to_string(domid), "--vchan"},
			      p.logdir + "/guid-" + vm.name + ".log");
}

// The AppVM's private-volume key, offered over a vchan until the AppVM's
// storage helper takes it (bulkhead-storage send-key; it exits then, or after
// its timeout). Its log: storage-NAME.log.
Result<pid_t> spawn_key_delivery(const Paths &p, const VmConfig &vm, uint32_t domid)
{
	mkdir(p.logdir.c_str(), 0750);
	return spawn_detached({p.storage, "send-key", vm.name, "--domid", std::to_string(domid),
			       "--keys", vm.storage_keys, "--timeout", "300"},
			      p.logdir + "/storage-" + vm.name + ".log");
}

// spawn_guid, and its pid file (the guid is stopped again if that fails).
Result<pid_t> start_guid(const Paths &p, const VmConfig &vm, uint32_t domid)
{
	TRY_ASSIGN(pid_t pid, spawn_guid(p, vm, domid));
	if (auto r = write_file(p.rundir + "/" + vm.name + ".guid.pid", std::to_string(pid) + "\n",
				0640);
	    !r.ok()) {
		kill(pid, SIGTERM);
		return r.error();
	}
	return pid;
}

} // namespace

Result<void> run_command(const std::vector<std::string> &argv, std::string *out, bool quiet)
{
	int pfd[2] = {-1, -1};
	if (out && pipe2(pfd, O_CLOEXEC) < 0)
		return Error::from_errno("pipe", errno);
	pid_t pid = fork();
	if (pid < 0)
		return Error::from_errno("fork", errno);
	if (pid == 0) {
		if (out)
			dup2(pfd[1], 1);
		if (quiet) {
			int null = ::open("/dev/null", O_WRONLY);
			if (null >= 0)
				dup2(null, 2);
		}
		std::vector<char *> a;
		for (auto &s : const_cast<std::vector<std::string> &>(argv))
			a.push_back(s.data());
		a.push_back(nullptr);
		execvp(a[0], a.data());
		_exit(127);
	}
	if (out) {
		close(pfd[1]);
		char buf[4096];
		ssize_t n;
		while ((n = read(pfd[0], buf, sizeof(buf))) > 0 && out->size() < (1u << 20))
			out->append(buf, size_t(n));
		close(pfd[0]);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return Error::from_errno("waitpid", errno);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return err(join(argv) + ": cannot run " + argv[0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err(join(argv) + ": failed (status " + std::to_string(st) + ")");
	return ok();
}

std::optional<uint32_t> domain_id(const Paths &p, const std::string &name)
{
	std::string out;
	if (!run_command({p.xl, "domid", name}, &out, true).ok())
		return std::nullopt;
	char *end = nullptr;
	unsigned long v = strtoul(out.c_str(), &end, 10);
	if (end == out.c_str() || v == 0 || v > 0x7fef)
		return std::nullopt;
	return uint32_t(v);
}

Result<uint32_t> start_vm(const Paths &p, const VmConfig &vm)
{
	if (domain_id(p, vm.name))
		return err(vm.name + ": already running");
	mkdir(p.rundir.c_str(), 0750);
	std::string cfg = p.rundir + "/" + vm.name + ".xl";
	TRY(write_file(cfg, xl_config(vm), 0640));
	// Paused, so the AppVM's XenStore nodes exist before it runs.
	TRY(run_command({p.xl, "create", "-p", "-q", cfg}));
	auto domid = domain_id(p, vm.name);
	if (!domid)
		return err(vm.name + ": created, but xl does not know its domain id");
	std::string home = "/local/domain/" + std::to_string(*domid) + "/bulkhead";
	pid_t key_pid = -1;
	auto undo = [&](const Error &e) -> Error {
		if (key_pid > 0)
			kill(key_pid, SIGTERM);
		(void)run_command({p.xl, "destroy", vm.name});
		return e;
	};
	if (auto r = run_command({p.xenstore_write, home + "/label", vm.label}); !r.ok())
		return undo(r.error());
	if (!vm.run.empty())
		if (auto r = run_command({p.xenstore_write, home + "/run", vm.run}); !r.ok())
			return undo(r.error());
	// dom0 owns the nodes; the AppVM may only read them.
	if (auto r = run_command({p.xenstore_chmod, "-r", home, "n0", "r" + std::to_string(*domid)});
	    !r.ok())
		return undo(r.error());
	if (!vm.storage_backend.empty()) {
		auto k = spawn_key_delivery(p, vm, *domid);
		if (!k.ok())
			return undo(k.error());
		key_pid = *k;
	}
	auto pid = start_guid(p, vm, *domid);
	if (!pid.ok())
		return undo(pid.error());
	if (auto r = run_command({p.xl, "unpause", vm.name}); !r.ok()) {
		kill(pid.value(), SIGTERM);
		return undo(r.error());
	}
	return *domid;
}

Result<void> stop_vm(const Paths &p, const std::string &name, bool force)
{
	bool running = domain_id(p, name).has_value();
	if (running) {
		if (force)
			TRY(run_command({p.xl, "destroy", name}));
		else if (!run_command({p.xl, "shutdown", "-w", name}).ok())
			TRY(run_command({p.xl, "destroy", name}));
	}
	if (auto pid = guid_pid(p, name)) {
		// guid leads its own session (setsid at spawn): end the group.
		if (kill(-*pid, SIGTERM) < 0)
			kill(*pid, SIGTERM);
		for (int i = 0; i < 100 && kill(*pid, 0) == 0; i++) {
			(void)waitpid(*pid, nullptr, WNOHANG); // our child if started by us
			usleep(20000);
		}
	}
	unlink((p.rundir + "/" + name + ".guid.pid").c_str());
	if (!running)
		return err(name + ": not running");
	return ok();
}

Result<pid_t> restart_gui(const Paths &p, const VmConfig &vm)
{
	auto domid = domain_id(p, vm.name);
	if (!domid)
		return err(vm.name + ": not running");
	if (auto pid = guid_pid(p, vm.name))
		return err(vm.name + ": its bulkhead-guid is running (pid " + std::to_string(*pid) +
			   ")");
	mkdir(p.rundir.c_str(), 0750);
	return start_guid(p, vm, *domid);
}

} // namespace bulkhead::vm
