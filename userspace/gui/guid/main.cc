// SPDX-License-Identifier: GPL-2.0-only
// bulkhead-guid: dom0 GUI daemon for one AppVM (man bulkhead-guid(1)).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <string>
#include <unistd.h>

#include "bulkhead/gui/channel.h"
#ifdef BULKHEAD_GUI_HAVE_VCHAN
#include "bulkhead/gui/vchan_channel.h"
#endif
#include "guid.h"

using namespace bulkhead;
using namespace bulkhead::gui;

namespace {

void usage(FILE *f)
{
	fprintf(f, "usage: bulkhead-guid --vm NAME --label COLOR --domid N\n"
		   "                     (--vchan | --channel-fd FD | --listen PATH)\n"
		   "                     [--display DPY] [--border PX] [--max-windows N]\n"
		   "                     [--gntfb-device PATH] [--no-input] [--verbose]\n"
		   "                     [--clipboard-config FILE] [--copy-key KEYS] [--paste-key KEYS]\n"
		   "                     [--clipboard-dir DIR] [--clipboard-policy FILE]\n"
		   "                     [--clipboard-max BYTES] [--clipboard-keep]\n"
		   "                     [--notify-command CMD] [--notify-seconds S] [--no-clipboard]\n"
		   "labels: %s\n",
		label_names().c_str());
}

Result<uint32_t> number(const char *opt, const char *s, uint32_t max)
{
	char *end = nullptr;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max)
		return err(std::string(opt) + ": not a number in 0.." + std::to_string(max));
	return uint32_t(v);
}

Result<void> run(int argc, char **argv)
{
	GuidConfig cfg;
	std::string label, listen_path, gntfb_dev;
	int channel_fd = -1;
	bool have_domid = false, use_vchan = false, no_input = false;
	// The clipboard file first (the default one if it exists), so that
	// options given on the command line win over it.
	std::string clip_conf = "/etc/bulkhead/clipboard.conf";
	bool clip_conf_given = false;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--clipboard-config" && i + 1 < argc) {
			clip_conf = argv[i + 1];
			clip_conf_given = true;
		} else if (a.rfind("--clipboard-config=", 0) == 0) {
			clip_conf = a.substr(19);
			clip_conf_given = true;
		}
	}
	if (clip_conf_given || access(clip_conf.c_str(), F_OK) == 0)
		TRY(load_clipboard_config(clip_conf, cfg.clipboard));
	static const option opts[] = {
		{"vm", required_argument, nullptr, 'n'},
		{"label", required_argument, nullptr, 'l'},
		{"domid", required_argument, nullptr, 'd'},
		{"vchan", no_argument, nullptr, 'V'},
		{"channel-fd", required_argument, nullptr, 'c'},
		{"listen", required_argument, nullptr, 's'},
		{"display", required_argument, nullptr, 'D'},
		{"border", required_argument, nullptr, 'b'},
		{"max-windows", required_argument, nullptr, 'w'},
		{"gntfb-device", required_argument, nullptr, 'g'},
		{"no-input", no_argument, nullptr, 'I'},
		{"verbose", no_argument, nullptr, 'v'},
		{"clipboard-config", required_argument, nullptr, 'C'},
		{"copy-key", required_argument, nullptr, 1001},
		{"paste-key", required_argument, nullptr, 1002},
		{"clipboard-dir", required_argument, nullptr, 1003},
		{"clipboard-policy", required_argument, nullptr, 1004},
		{"clipboard-max", required_argument, nullptr, 1005},
		{"clipboard-keep", no_argument, nullptr, 1006},
		{"notify-command", required_argument, nullptr, 1007},
		{"notify-seconds", required_argument, nullptr, 1008},
		{"no-clipboard", no_argument, nullptr, 1009},
		{"help", no_argument, nullptr, 'h'},
		{},
	};
	for (int c; (c = getopt_long(argc, argv, "", opts, nullptr)) != -1;) {
		switch (c) {
		case 'n':
			cfg.vm_name = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'd': {
			TRY_ASSIGN(cfg.domid, number("--domid", optarg, 0x7fef));
			have_domid = true;
			break;
		}
		case 'c': {
			TRY_ASSIGN(uint32_t fd, number("--channel-fd", optarg, 65535));
			channel_fd = int(fd);
			break;
		}
		case 's':
			listen_path = optarg;
			break;
		case 'V':
			use_vchan = true;
			break;
		case 'D':
			cfg.display = optarg;
			break;
		case 'b': {
			TRY_ASSIGN(cfg.border, number("--border", optarg, 32));
			break;
		}
		case 'w': {
			TRY_ASSIGN(cfg.max_windows, number("--max-windows", optarg, kMaxWindows));
			break;
		}
		case 'g':
			gntfb_dev = optarg;
			break;
		case 'I':
			no_input = true;
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case 'C':
			break; // read above
		case 1001:
			TRY(parse_shortcut(optarg));
			cfg.clipboard.copy_key = optarg;
			break;
		case 1002:
			TRY(parse_shortcut(optarg));
			cfg.clipboard.paste_key = optarg;
			break;
		case 1003:
			cfg.clipboard.store_dir = optarg;
			break;
		case 1004:
			cfg.clipboard.policy_path = optarg;
			break;
		case 1005: {
			TRY_ASSIGN(cfg.clipboard.limit, number("--clipboard-max", optarg, kMaxClipboardTotal));
			if (cfg.clipboard.limit == 0)
				return err("--clipboard-max: at least 1 byte");
			break;
		}
		case 1006:
			cfg.clipboard.one_shot = false;
			break;
		case 1007:
			cfg.clipboard.notify_command = optarg;
			break;
		case 1008: {
			TRY_ASSIGN(cfg.clipboard.notify_seconds, number("--notify-seconds", optarg, 60));
			break;
		}
		case 1009:
			cfg.clipboard.enabled = false;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || cfg.vm_name.empty() || label.empty() || !have_domid ||
	    int(channel_fd >= 0) + int(!listen_path.empty()) + int(use_vchan) != 1) {
		usage(stderr);
		exit(2);
	}
	TRY_ASSIGN(cfg.label, parse_label(label));
	TRY(validate_vm_name(cfg.vm_name));

	std::unique_ptr<Channel> channel;
	std::unique_ptr<InputConnector> input;
	if (use_vchan) {
#ifdef BULKHEAD_GUI_HAVE_VCHAN
		TRY_ASSIGN(channel, vchan_connect_to_guest(xen::DomainId(cfg.domid)));
		// The AppVM's keyboard and pointer: its gntinput ring, when its
		// X server advertises one (now or later).
		if (!no_input) {
			TRY_ASSIGN(input, xen_input_connector(uint16_t(cfg.domid)));
		}
#else
		return err("--vchan: built without the Xen wrappers of userspace/common");
#endif
	} else {
		unique_fd sock;
		if (channel_fd >= 0) {
			sock = unique_fd(channel_fd);
		} else {
			TRY_ASSIGN(unique_fd l, seqpacket_listen(listen_path));
			TRY_ASSIGN(sock, seqpacket_accept(l));
		}
		TRY_ASSIGN(channel, socket_channel(std::move(sock), kMaxMessageSize));
	}
	TRY_ASSIGN(auto importer, gntfb_importer(gntfb_dev));
	std::string vm = cfg.vm_name;
	TRY_ASSIGN(auto guid, Guid::create(std::move(cfg), std::move(channel), std::move(importer),
						       std::move(input)));
	// SIGUSR1 logs what came over the channel so far.
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, nullptr);
	unique_fd sfd(signalfd(-1, &usr1, SFD_CLOEXEC | SFD_NONBLOCK));
	if (!sfd)
		return Error::from_errno("signalfd", errno);
	auto r = guid->run(-1, sfd.get());
	fprintf(stderr, "bulkhead-guid: %s: %s\n", vm.c_str(), guid->stats_line().c_str());
	if (!r.ok())
		return r.error().context("dropping connection to " + vm);
	return ok();
}

} // namespace

int main(int argc, char **argv)
{
	auto r = run(argc, argv);
	if (!r.ok()) {
		fprintf(stderr, "bulkhead-guid: %s\n", r.error().message.c_str());
		return 1;
	}
	return 0;
}
