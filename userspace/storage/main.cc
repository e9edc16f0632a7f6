// SPDX-License-Identifier: GPL-2.0-only
// bulkhead-storage: the AppVM's storage stack (verified base, throwaway
// encrypted overlay, encrypted private volume) and dom0's side of it. See
// bulkhead-storage(8) and Documentation/storage.rst.
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "assemble.h"
#include "config.h"
#include "dom0.h"
#include "exec.h"
#include "key_message.h"
#include "real.h"

using namespace storage;
using bulkhead::err;
using bulkhead::Result;

namespace {

constexpr const char *kUsage =
	"usage:\n"
	"  AppVM (init):  bulkhead-storage assemble|assemble-root|open-private|teardown|show-config\n"
	"                     [--config FILE] [--KEY VALUE ...]   (KEY: any storage.conf key)\n"
	"  dom0:          bulkhead-storage create VM --pool DIR --private-size N --overlay-size N\n"
	"                     [--keys DIR] [--mkfs PROG]\n"
	"                 bulkhead-storage disks VM --pool DIR --backend DOMAIN [--script S]\n"
	"                 bulkhead-storage send-key VM --domid ID [--keys DIR] [--timeout S]\n"
	"                     [--path XS_PATH]\n"
	"see bulkhead-storage(8)\n";

constexpr const char *kDefaultConfig = "/etc/bulkhead/storage.conf";
constexpr const char *kDefaultKeys = "/var/lib/bulkhead/storage/keys";

// The refusal goes to stderr and the kernel log: the AppVM's console shows
// it whichever the init system connected.
void refuse(const std::string &what, const std::string &msg)
{
	std::string line = "bulkhead-storage: " + what + " REFUSED: " + msg + "\n";
	std::fputs(line.c_str(), stderr);
	int k = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (k >= 0) {
		std::string kl = "<2>" + line;
		(void)!::write(k, kl.data(), kl.size());
		::close(k);
	}
}

struct Args {
	std::vector<std::string> positional;
	std::vector<std::pair<std::string, std::string>> options; // in order
	std::string get(const std::string &k, const std::string &def = "") const
	{
		for (auto it = options.rbegin(); it != options.rend(); ++it)
			if (it->first == k)
				return it->second;
		return def;
	}
	bool has(const std::string &k) const
	{
		for (const auto &o : options)
			if (o.first == k)
				return true;
		return false;
	}
};

Result<Args> parse_args(int argc, char **argv, int first)
{
	Args a;
	for (int i = first; i < argc; i++) {
		std::string s = argv[i];
		if (s.rfind("--", 0) == 0) {
			if (i + 1 >= argc)
				return err("option " + s + " needs a value");
			a.options.emplace_back(s.substr(2), argv[++i]);
		} else {
			a.positional.push_back(s);
		}
	}
	return a;
}

Result<uint64_t> parse_size(const std::string &s)
{
	if (s.empty())
		return err("empty size");
	size_t pos = 0;
	uint64_t n;
	try {
		n = std::stoull(s, &pos);
	} catch (...) {
		return err("bad size '" + s + "'");
	}
	std::string suf = s.substr(pos);
	uint64_t mul = suf.empty()		    ? 1
		       : suf == "K" || suf == "k" ? 1ULL << 10
		       : suf == "M"		    ? 1ULL << 20
		       : suf == "G"		    ? 1ULL << 30
						    : 0;
	if (!mul)
		return err("bad size suffix in '" + s + "' (K, M or G)");
	return n * mul;
}

Result<GuestConfig> load_guest_config(const Args &a)
{
	GuestConfig cfg;
	std::string path = a.get("config", kDefaultConfig);
	std::ifstream f(path);
	if (f) {
		std::stringstream ss;
		ss << f.rdbuf();
		if (auto r = parse_config(ss.str(), cfg); !r)
			return r.error().context(path);
	} else if (a.has("config")) {
		return err("cannot read " + path);
	}
	for (const auto &[k, v] : a.options) {
		if (k == "config")
			continue;
		std::string key = k;
		for (char &c : key)
			if (c == '-')
				c = '_';
		TRY(set_config(cfg, key, v));
	}
	return cfg;
}

std::unique_ptr<KeySource> make_key_source(const GuestConfig &cfg)
{
	if (cfg.private_key.rfind("file:", 0) == 0)
		return std::make_unique<FileKeySource>(cfg.private_key.substr(5));
	return std::make_unique<VchanKeySource>(cfg.key_vchan_path, cfg.key_timeout);
}

int guest_command(const std::string &cmd, const Args &a)
{
	auto cfg = load_guest_config(a);
	if (!cfg) {
		refuse(cmd, "configuration: " + cfg.error().message);
		return 1;
	}
	if (cmd == "show-config") {
		std::fputs(dump_config(*cfg).c_str(), stdout);
		return 0;
	}
	if (cfg->private_key != "vchan" && cfg->private_key.rfind("file:", 0) != 0) {
		refuse(cmd, "private_key must be 'vchan' or 'file:/path'");
		return 1;
	}
	LibDeviceMapper dm;
	LibCryptsetup crypt;
	BlocksigTool base(cfg->blocksig);
	SystemHost host;
	auto keys = make_key_source(*cfg);
	Assembler as(*cfg, dm, crypt, base, host, *keys);
	Result<void> r;
	if (cmd == "assemble")
		r = as.assemble();
	else if (cmd == "assemble-root")
		r = as.assemble_root();
	else if (cmd == "open-private")
		r = as.open_private();
	else
		r = as.teardown();
	if (!r) {
		refuse(cmd, r.error().message);
		return 1;
	}
	if (cmd == "assemble" || cmd == "assemble-root")
		std::printf("bulkhead-storage: root /dev/mapper/%s (blocksig base + throwaway "
			    "overlay) mounted at %s\n",
			    as.names().root.c_str(), cfg->root_mount.c_str());
	if (cmd == "assemble" || cmd == "open-private")
		std::printf("bulkhead-storage: private volume /dev/mapper/%s mounted at %s\n",
			    as.names().priv.c_str(), as.private_target().c_str());
	return 0;
}

int dom0_command(const std::string &cmd, const Args &a)
{
	if (a.positional.size() != 1) {
		std::fputs(kUsage, stderr);
		return 2;
	}
	const std::string &vm = a.positional[0];
	if (auto r = check_vm_name(vm); !r) {
		std::fprintf(stderr, "bulkhead-storage: %s\n", r.error().message.c_str());
		return 2;
	}
	KeyStore keys(a.get("keys", kDefaultKeys));
	PoolLayout pool{a.get("pool")};
	if (cmd == "create" || cmd == "disks") {
		if (pool.dir.empty()) {
			std::fputs("bulkhead-storage: --pool DIR is required\n", stderr);
			return 2;
		}
	}
	if (cmd == "disks") {
		std::string backend = a.get("backend");
		if (backend.empty()) {
			std::fputs("bulkhead-storage: --backend DOMAIN is required\n", stderr);
			return 2;
		}
		std::string script = a.get("script", "block");
		if (script.empty() || script.find_first_of(",' \t") != std::string::npos) {
			std::fputs("bulkhead-storage: --script must be a path without ',', quotes or blanks\n",
				   stderr);
			return 2;
		}
		std::printf("%s\n", xl_disk_line(xl_disks(vm, pool, backend, script)).c_str());
		return 0;
	}
	if (cmd == "create") {
		CreateOptions o;
		o.vm = vm;
		auto ps = parse_size(a.get("private-size")), os = parse_size(a.get("overlay-size"));
		if (!ps || !os) {
			std::fprintf(stderr, "bulkhead-storage: --private-size/--overlay-size: %s\n",
				     (!ps ? ps.error() : os.error()).message.c_str());
			return 2;
		}
		o.private_bytes = *ps;
		o.overlay_bytes = *os;
		o.mkfs = a.get("mkfs", o.mkfs);
		LibCryptsetup crypt;
		auto r = create_vm_volumes(o, pool, keys, crypt,
					   [](const std::string &mkfs, const std::string &dev) {
						   // MKFS may carry options: "mke2fs -b 4096".
						   std::vector<std::string> argv;
						   std::istringstream words(mkfs);
						   for (std::string w; words >> w;)
							   argv.push_back(w);
						   argv.push_back(dev);
						   return run_checked(argv);
					   });
		if (!r) {
			std::fprintf(stderr, "bulkhead-storage: create %s: %s\n", vm.c_str(),
				     r.error().message.c_str());
			return 1;
		}
		std::printf("bulkhead-storage: created %s and %s; key in %s\n",
			    pool.priv(vm).c_str(), pool.overlay(vm).c_str(), keys.path(vm).c_str());
		return 0;
	}
	// send-key: the key of VM, to the domain dom0's toolstack started as VM.
	std::string domid_s = a.get("domid");
	char *end = nullptr;
	long domid = std::strtol(domid_s.c_str(), &end, 10);
	if (domid_s.empty() || *end || domid <= 0 || domid >= 0x7ff0) {
		std::fputs("bulkhead-storage: --domid must be an AppVM's domain id\n", stderr);
		return 2;
	}
	std::string path = a.get("path", "/local/domain/" + std::to_string(domid) +
						 "/data/bulkhead-storage/key");
	unsigned timeout = unsigned(std::strtoul(a.get("timeout", "120").c_str(), nullptr, 10));
	auto key = keys.load(vm);
	Result<void> r;
	if (key) {
		Secret msg = encode_key_message(*key);
		r = vchan_send_key_message(int(domid), path, msg.bytes(), timeout);
	} else {
		// Tell the AppVM why, so its console says it, then fail here too.
		auto msg = encode_refusal(key.error().message);
		r = vchan_send_key_message(int(domid), path, msg, timeout);
		if (r)
			r = key.error();
	}
	if (!r) {
		std::fprintf(stderr, "bulkhead-storage: send-key %s (domain %ld): %s\n",
			     vm.c_str(), domid, r.error().message.c_str());
		return 1;
	}
	std::printf("bulkhead-storage: key for %s delivered to domain %ld\n", vm.c_str(), domid);
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2 || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "--help")) {
		std::fputs(kUsage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	std::string cmd = argv[1];
	auto a = parse_args(argc, argv, 2);
	if (!a) {
		std::fprintf(stderr, "bulkhead-storage: %s\n%s", a.error().message.c_str(), kUsage);
		return 2;
	}
	if (cmd == "assemble" || cmd == "assemble-root" || cmd == "open-private" ||
	    cmd == "teardown" || cmd == "show-config") {
		if (!a->positional.empty()) {
			std::fputs(kUsage, stderr);
			return 2;
		}
		return guest_command(cmd, *a);
	}
	if (cmd == "create" || cmd == "disks" || cmd == "send-key") {
		::umask(077); // volumes and keys: root only
		return dom0_command(cmd, *a);
	}
	std::fprintf(stderr, "bulkhead-storage: unknown command '%s'\n%s", cmd.c_str(), kUsage);
	return 2;
}
