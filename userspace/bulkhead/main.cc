// SPDX-License-Identifier: GPL-2.0-only
// bulkhead: define, start, stop and list AppVMs (man bulkhead(8)).
#include <cstdio>
#include <cstdlib>
#include <getopt.h>
#include <string>

#include "domain.h"
#include "vm_config.h"

using namespace bulkhead;
using namespace bulkhead::vm;

namespace {

void usage(FILE *f)
{
	fprintf(f, "usage: bulkhead [--confdir DIR] list\n"
		   "       bulkhead [--confdir DIR] check NAME\n"
		   "       bulkhead [--confdir DIR] start NAME\n"
		   "       bulkhead [--confdir DIR] stop [--force] NAME\n"
		   "       bulkhead [--confdir DIR] gui NAME\n");
}

Result<int> run(int argc, char **argv)
{
	Paths paths;
	if (const char *d = getenv("BULKHEAD_CONFDIR"))
		paths.confdir = d;
	bool force = false;
	static const option opts[] = {
		{"confdir", required_argument, nullptr, 'c'},
		{"force", no_argument, nullptr, 'f'},
		{"help", no_argument, nullptr, 'h'},
		{},
	};
	for (int c; (c = getopt_long(argc, argv, "+", opts, nullptr)) != -1;) {
		if (c == 'c')
			paths.confdir = optarg;
		else if (c == 'f')
			force = true;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	std::string cmd = argv[optind++];
	// Options after the command (stop --force NAME).
	for (int c; (c = getopt_long(argc, argv, "+", opts, nullptr)) != -1;) {
		if (c == 'f')
			force = true;
		else if (c == 'c')
			paths.confdir = optarg;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (cmd == "list") {
		if (optind != argc) {
			usage(stderr);
			return 2;
		}
		TRY_ASSIGN(auto names, list_vm_names(paths.confdir));
		printf("%-20s %-8s %8s %6s %s\n", "NAME", "LABEL", "MEMORY", "DOMID", "STATE");
		for (const auto &n : names) {
			auto vm = load_vm_config(paths.confdir, n);
			if (!vm.ok()) {
				printf("%-20s %-8s %8s %6s invalid: %s\n", n.c_str(), "-", "-", "-",
				       vm.error().message.c_str());
				continue;
			}
			auto id = domain_id(paths, n);
			printf("%-20s %-8s %7uM %6s %s\n", n.c_str(), vm->label.c_str(), vm->memory_mib,
			       id ? std::to_string(*id).c_str() : "-", id ? "running" : "halted");
		}
		return 0;
	}
	if (optind + 1 != argc || (cmd != "start" && cmd != "stop" && cmd != "check" && cmd != "gui")) {
		usage(stderr);
		return 2;
	}
	std::string name = argv[optind];
	if (cmd == "check") {
		TRY_ASSIGN(auto vm, load_vm_config(paths.confdir, name));
		fputs(xl_config(vm).c_str(), stdout);
		return 0;
	}
	if (cmd == "start") {
		TRY_ASSIGN(auto vm, load_vm_config(paths.confdir, name));
		TRY_ASSIGN(uint32_t domid, start_vm(paths, vm));
		printf("%s: started as domain %u\n", name.c_str(), domid);
		return 0;
	}
	if (cmd == "gui") {
		TRY_ASSIGN(auto vm, load_vm_config(paths.confdir, name));
		TRY_ASSIGN(pid_t pid, restart_gui(paths, vm));
		printf("%s: bulkhead-guid started again (pid %d)\n", name.c_str(), int(pid));
		return 0;
	}
	TRY(stop_vm(paths, name, force));
	printf("%s: stopped\n", name.c_str());
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	auto r = run(argc, argv);
	if (!r.ok()) {
		fprintf(stderr, "bulkhead: %s\n", r.error().message.c_str());
		return 1;
	}
	return r.value();
}
