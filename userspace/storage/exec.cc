// SPDX-License-Identifier: GPL-2.0-only
#include "exec.h"

#include <cerrno>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bulkhead/unique_fd.h"

extern char **environ;

namespace storage {

using bulkhead::err;
using bulkhead::Error;
using bulkhead::Result;
using bulkhead::unique_fd;

Result<ExecResult> run_program(const std::vector<std::string> &argv)
{
	if (argv.empty())
		return err("run_program: empty argv");
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return Error::from_errno("pipe", errno);
	unique_fd rd(p[0]), wr(p[1]);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, wr.get(), 1);
	posix_spawn_file_actions_adddup2(&fa, wr.get(), 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	std::vector<char *> args;
	for (const auto &a : argv)
		args.push_back(const_cast<char *>(a.c_str()));
	args.push_back(nullptr);
	pid_t pid;
	int r = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return Error::from_errno("cannot run " + argv[0], r);
	wr.reset();
	ExecResult out;
	char buf[4096];
	for (;;) {
		ssize_t n = read(rd.get(), buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out.output.append(buf, size_t(n));
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return Error::from_errno("waitpid " + argv[0], errno);
	out.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return out;
}

Result<void> run_checked(const std::vector<std::string> &argv)
{
	TRY_ASSIGN(ExecResult r, run_program(argv));
	if (r.status == 0)
		return {};
	std::string last = r.output;
	while (!last.empty() && (last.back() == '\n' || last.back() == '\r'))
		last.pop_back();
	if (size_t nl = last.rfind('\n'); nl != std::string::npos)
		last = last.substr(nl + 1);
	return err(argv[0] + " " + (argv.size() > 1 ? argv[1] + " " : "") + "failed (exit " +
		   std::to_string(r.status) + ")" + (last.empty() ? "" : ": " + last));
}

} // namespace storage
