// SPDX-License-Identifier: GPL-2.0-only
// bulkhead-agent: the AppVM side of the GUI (man bulkhead-agent(1)).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <getopt.h>
#include <string>

#include "agent.h"
#include "bulkhead/gui/channel.h"
#ifdef BULKHEAD_GUI_HAVE_VCHAN
#include "bulkhead/gui/vchan_channel.h"
#endif

using namespace bulkhead;
using namespace bulkhead::gui;

namespace {

void usage(FILE *f)
{
	fprintf(f, "usage: bulkhead-agent (--vchan | --channel-fd FD | --connect PATH)\n"
		   "                      [--display DPY] [--fps N] [--frame-log PATH] [--paste-keys KEYS]\n"
		   "                      [--verbose]\n");
}

Result<void> run(int argc, char **argv)
{
	AgentConfig cfg;
	std::string connect_path;
	int channel_fd = -1;
	bool use_vchan = false;
	std::string frame_log;
	static const option opts[] = {
		{"vchan", no_argument, nullptr, 'V'},
		{"channel-fd", required_argument, nullptr, 'c'},
		{"connect", required_argument, nullptr, 's'},
		{"display", required_argument, nullptr, 'D'},
		{"fps", required_argument, nullptr, 'f'},
		{"frame-log", required_argument, nullptr, 'F'},
		{"verbose", no_argument, nullptr, 'v'},
		{"paste-keys", required_argument, nullptr, 'p'},
		{"help", no_argument, nullptr, 'h'},
		{},
	};
	for (int c; (c = getopt_long(argc, argv, "", opts, nullptr)) != -1;) {
		char *end = nullptr;
		switch (c) {
		case 'c':
			errno = 0;
			channel_fd = int(strtol(optarg, &end, 10));
			if (!*optarg || *end || errno || channel_fd < 0)
				return err("--channel-fd: not a descriptor number");
			break;
		case 's':
			connect_path = optarg;
			break;
		case 'V':
			use_vchan = true;
			break;
		case 'D':
			cfg.display = optarg;
			break;
		case 'f': {
			long fps = strtol(optarg, &end, 10);
			if (!*optarg || *end || fps < 1 || fps > 240)
				return err("--fps: 1..240");
			cfg.frame_interval = std::chrono::microseconds(1000000 / fps);
			break;
		}
		case 'F':
			frame_log = optarg;
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case 'p':
			cfg.clipboard.paste_keys = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc ||
	    int(channel_fd >= 0) + int(!connect_path.empty()) + int(use_vchan) != 1) {
		usage(stderr);
		exit(2);
	}
	// One line per acknowledged frame (format_frame_record), line-buffered
	// so a reader sees whole lines while the agent runs.
	std::unique_ptr<FILE, int (*)(FILE *)> log(nullptr, fclose);
	if (!frame_log.empty()) {
		log.reset(fopen(frame_log.c_str(), "we"));
		if (!log)
			return Error::from_errno("--frame-log " + frame_log, errno);
		setvbuf(log.get(), nullptr, _IOLBF, 0);
		cfg.on_frame = [f = log.get()](const FrameRecord &r) {
			fprintf(f, "%s\n", format_frame_record(r).c_str());
		};
	}
	std::unique_ptr<Channel> channel;
	if (use_vchan) {
#ifdef BULKHEAD_GUI_HAVE_VCHAN
		TRY_ASSIGN(channel, vchan_listen_for_dom0());
#else
		return err("--vchan: built without the Xen wrappers of userspace/common");
#endif
	} else {
		unique_fd sock;
		if (channel_fd >= 0) {
			sock = unique_fd(channel_fd);
		} else {
			TRY_ASSIGN(sock, seqpacket_connect(connect_path));
		}
		TRY_ASSIGN(channel, socket_channel(std::move(sock), kMaxMessageSize));
	}
	TRY_ASSIGN(auto agent, Agent::create(std::move(cfg), std::move(channel),
					     [](xcb_connection_t *c) { return property_buffer_source(c); }));
	return agent->run();
}

} // namespace

int main(int argc, char **argv)
{
	auto r = run(argc, argv);
	if (!r.ok()) {
		fprintf(stderr, "bulkhead-agent: %s\n", r.error().message.c_str());
		return 1;
	}
	return 0;
}
