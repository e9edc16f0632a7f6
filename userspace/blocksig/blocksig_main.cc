// SPDX-License-Identifier: GPL-2.0-only
// blocksig: create, check, update and activate dm-blocksig signed images.
// Exit codes: 0 success, 1 error, 2 usage, 3 verify found bad blocks.
#include <charconv>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bulkhead/hex.h"
#include "device.h"
#include "ops.h"

using namespace blocksig;
using bulkhead::err;
using bulkhead::Result;

namespace {

constexpr int kExitError = 1, kExitUsage = 2, kExitBadBlocks = 3;

const char kUsage[] =
	"usage:\n"
	"  blocksig format IMAGE META --key PRIVATE.pem [--image-version N]\n"
	"                  [--block-size B] [--image-id HEX32] [--threads N]\n"
	"  blocksig verify IMAGE META --cert CERT [--min-version N] [--image-id HEX32]\n"
	"                  [--threads N]\n"
	"  blocksig update IMAGE META --key PRIVATE.pem [--blocks LIST]\n"
	"                  [--image-version N] [--threads N]\n"
	"  blocksig open IMAGE META NAME --cert CERT [--min-version N] [--image-id HEX32]\n"
	"                  [--restart-on-corruption|--panic-on-corruption|--ignore-corruption]\n"
	"                  [--cache-entries N]\n"
	"  blocksig close NAME\n"
	"  blocksig status NAME\n"
	"See blocksig(8).\n";

struct Command {
	const char *name;
	size_t positionals;
	std::vector<std::string> value_opts; // take an argument
	std::vector<std::string> flag_opts;
};

const Command kCommands[] = {
	{"format", 2, {"key", "image-version", "block-size", "image-id", "threads"}, {}},
	{"verify", 2, {"cert", "min-version", "image-id", "threads"}, {}},
	{"update", 2, {"key", "blocks", "image-version", "threads"}, {}},
	{"open",
	 3,
	 {"cert", "min-version", "image-id", "cache-entries"},
	 {"restart-on-corruption", "panic-on-corruption", "ignore-corruption"}},
	{"close", 1, {}, {}},
	{"status", 1, {}, {}},
};

struct Args {
	const Command *cmd = nullptr;
	std::vector<std::string> pos;
	std::map<std::string, std::string> opts;

	bool has(const std::string &k) const { return opts.count(k) != 0; }
	std::optional<std::string> get(const std::string &k) const
	{
		auto it = opts.find(k);
		if (it == opts.end())
			return std::nullopt;
		return it->second;
	}
};

bool contains(const std::vector<std::string> &v, const std::string &s)
{
	for (auto &x : v)
		if (x == s)
			return true;
	return false;
}

// An error string for usage problems, or the parsed arguments.
Result<Args> parse_args(int argc, char **argv)
{
	Args a;
	if (argc < 2)
		return err("missing command");
	std::string name = argv[1];
	for (auto &c : kCommands)
		if (name == c.name)
			a.cmd = &c;
	if (!a.cmd)
		return err("unknown command '" + name + "'");
	bool only_pos = false;
	for (int i = 2; i < argc; i++) {
		std::string s = argv[i];
		if (only_pos || s.size() < 2 || s.compare(0, 2, "--") != 0) {
			a.pos.push_back(s);
			continue;
		}
		if (s == "--") {
			only_pos = true;
			continue;
		}
		std::string key = s.substr(2), value;
		bool inline_value = false;
		if (auto eq = key.find('='); eq != std::string::npos) {
			value = key.substr(eq + 1);
			key = key.substr(0, eq);
			inline_value = true;
		}
		if (a.opts.count(key))
			return err("option --" + key + " given twice");
		if (contains(a.cmd->value_opts, key)) {
			if (!inline_value) {
				if (i + 1 >= argc)
					return err("option --" + key + " needs a value");
				value = argv[++i];
			}
			a.opts[key] = value;
		} else if (contains(a.cmd->flag_opts, key) && !inline_value) {
			a.opts[key] = "";
		} else {
			return err(std::string("unknown option --") + key + " for " + a.cmd->name);
		}
	}
	if (a.pos.size() != a.cmd->positionals)
		return err(std::string(a.cmd->name) + " takes " +
			   std::to_string(a.cmd->positionals) + " arguments, got " +
			   std::to_string(a.pos.size()));
	return a;
}

Result<uint64_t> parse_number(const std::string &opt, const std::string &s, uint64_t min,
			      uint64_t max)
{
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < min || v > max)
		return err("--" + opt + ": '" + s + "' is not a number in [" + std::to_string(min) +
			   ", " + std::to_string(max) + "]");
	return v;
}

Result<std::optional<uint64_t>> opt_number(const Args &a, const std::string &opt, uint64_t min,
					   uint64_t max = UINT64_MAX)
{
	auto s = a.get(opt);
	if (!s)
		return std::optional<uint64_t>();
	TRY_ASSIGN(uint64_t v, parse_number(opt, *s, min, max));
	return std::optional(v);
}

Result<std::optional<ImageId>> opt_image_id(const Args &a)
{
	auto s = a.get("image-id");
	if (!s)
		return std::optional<ImageId>();
	auto bytes = bulkhead::from_hex(*s, BLOCKSIG_IMAGE_ID_SIZE);
	if (!bytes)
		return bytes.error().context("--image-id");
	ImageId id;
	std::copy(bytes->begin(), bytes->end(), id.begin());
	return std::optional(id);
}

Result<std::string> required(const Args &a, const std::string &opt)
{
	auto s = a.get(opt);
	if (!s)
		return err(std::string(a.cmd->name) + " needs --" + opt);
	return *s;
}

std::string hex(std::span<const uint8_t> s) { return bulkhead::to_hex(s); }

void print_header(const Header &h)
{
	printf("image id:       %s\n", hex(h.image_id).c_str());
	printf("image version:  %llu\n", (unsigned long long)h.image_version);
	printf("data blocks:    %llu\n", (unsigned long long)h.data_blocks);
	printf("block size:     %u\n", h.block_size);
	printf("signature size: %u\n", h.sig_size);
	printf("key id:         %s\n", hex(h.key_id).c_str());
}

// Option checks that need no file: a failure is a usage error (exit 2).
Result<FormatOptions> build_format(const Args &a)
{
	FormatOptions o;
	o.image = a.pos[0];
	o.meta = a.pos[1];
	TRY_ASSIGN(o.key, required(a, "key"));
	TRY_ASSIGN(auto v, opt_number(a, "image-version", 1));
	o.image_version = v.value_or(1);
	TRY_ASSIGN(auto bs, opt_number(a, "block-size", BLOCKSIG_MIN_BLOCK_SIZE,
				       BLOCKSIG_MAX_BLOCK_SIZE));
	o.block_size = static_cast<uint32_t>(bs.value_or(4096));
	if (o.block_size & (o.block_size - 1))
		return err("--block-size: " + std::to_string(o.block_size) +
			   " is not a power of two");
	TRY_ASSIGN(o.image_id, opt_image_id(a));
	TRY_ASSIGN(auto th, opt_number(a, "threads", 1, 1024));
	o.threads = static_cast<unsigned>(th.value_or(0));
	return o;
}

Result<int> run_format(const FormatOptions &o)
{
	TRY_ASSIGN(auto r, format(o));
	print_header(r.header);
	return 0;
}

Result<VerifyOptions> build_verify(const Args &a)
{
	VerifyOptions o;
	o.image = a.pos[0];
	o.meta = a.pos[1];
	TRY_ASSIGN(o.cert, required(a, "cert"));
	TRY_ASSIGN(auto mv, opt_number(a, "min-version", 1));
	o.min_version = mv.value_or(1);
	TRY_ASSIGN(o.image_id, opt_image_id(a));
	TRY_ASSIGN(auto th, opt_number(a, "threads", 1, 1024));
	o.threads = static_cast<unsigned>(th.value_or(0));
	return o;
}

Result<int> run_verify(const VerifyOptions &o)
{
	TRY_ASSIGN(auto r, verify(o));
	for (auto &b : r.bad)
		printf("block %llu: %s\n", (unsigned long long)b.index, b.reason.c_str());
	uint64_t n = r.header.data_blocks;
	printf("%llu blocks checked: %llu good, %zu bad (image %s version %llu)\n",
	       (unsigned long long)n, (unsigned long long)(n - r.bad.size()), r.bad.size(),
	       hex(r.header.image_id).c_str(), (unsigned long long)r.header.image_version);
	if (!r.bad.empty()) {
		fprintf(stderr, "blocksig: verification failed: %zu of %llu blocks bad\n",
			r.bad.size(), (unsigned long long)n);
		return kExitBadBlocks;
	}
	return 0;
}

Result<UpdateOptions> build_update(const Args &a)
{
	UpdateOptions o;
	o.image = a.pos[0];
	o.meta = a.pos[1];
	TRY_ASSIGN(o.key, required(a, "key"));
	if (auto list = a.get("blocks")) {
		TRY_ASSIGN(o.blocks, parse_block_list(*list));
	}
	TRY_ASSIGN(o.image_version, opt_number(a, "image-version", 1));
	TRY_ASSIGN(auto th, opt_number(a, "threads", 1, 1024));
	o.threads = static_cast<unsigned>(th.value_or(0));
	return o;
}

Result<int> run_update(const UpdateOptions &o)
{
	TRY_ASSIGN(auto r, update(o));
	if (r.finished_interrupted)
		printf("finished an interrupted update of %s (its journal) first\n", o.meta.c_str());
	printf("re-signed %zu blocks; image version %llu -> %llu\n", r.resigned.size(),
	       (unsigned long long)r.old_version, (unsigned long long)r.new_version);
	return 0;
}

struct OpenRequest {
	OpenParams p;
	std::string cert;
	std::optional<ImageId> image_id;
};

Result<OpenRequest> build_open(const Args &a)
{
	OpenRequest r;
	OpenParams &p = r.p;
	p.image = a.pos[0];
	p.meta = a.pos[1];
	p.name = a.pos[2];
	TRY(check_name(p.name));
	TRY_ASSIGN(r.cert, required(a, "cert"));
	TRY_ASSIGN(auto mv, opt_number(a, "min-version", 1));
	p.min_version = mv.value_or(1);
	TRY_ASSIGN(r.image_id, opt_image_id(a));
	int modes = 0;
	for (auto [flag, mode] : {std::pair{"restart-on-corruption", OnCorruption::Restart},
				  std::pair{"panic-on-corruption", OnCorruption::Panic},
				  std::pair{"ignore-corruption", OnCorruption::Ignore}}) {
		if (a.has(flag)) {
			p.opts.on_corruption = mode;
			modes++;
		}
	}
	if (modes > 1)
		return err("choose at most one of --restart-on-corruption, --panic-on-corruption, "
			   "--ignore-corruption");
	TRY_ASSIGN(p.opts.cache_entries, opt_number(a, "cache-entries", 1, 1u << 22));
	return r;
}

Result<int> run_open(OpenRequest r, System &sys)
{
	OpenParams &p = r.p;
	if (!sys.is_root())
		return err("open needs root (device-mapper, loop devices and keyring)");
	TRY_ASSIGN(auto check, check_for_open(p.image, p.meta, r.cert, p.min_version, r.image_id));
	p.image_id = check.header.image_id;
	p.data_sectors = check.header.data_blocks * check.header.block_size / 512;
	p.cert_der = std::move(check.cert_der);
	TRY(open_device(sys, p));
	printf("opened /dev/mapper/%s: image %s version %llu, %llu blocks\n", p.name.c_str(),
	       hex(p.image_id).c_str(), (unsigned long long)check.header.image_version,
	       (unsigned long long)check.header.data_blocks);
	return 0;
}

Result<int> cmd_close(const Args &a, System &sys)
{
	TRY(close_device(sys, a.pos[0]));
	return 0;
}

Result<int> cmd_status(const Args &a, System &sys)
{
	TRY_ASSIGN(auto st, status_device(sys, a.pos[0]));
	printf("name:        %s\n", a.pos[0].c_str());
	printf("sectors:     %llu\n", (unsigned long long)st.sectors);
	printf("data device: %s\n", st.data_dev.c_str());
	printf("meta device: %s\n", st.meta_dev.c_str());
	printf("key:         %s\n", st.key_desc.c_str());
	printf("image id:    %s\n", st.image_id.c_str());
	printf("min version: %llu\n", (unsigned long long)st.min_version);
	std::string opts;
	for (auto &o : st.options)
		opts += (opts.empty() ? "" : " ") + o;
	printf("options:     %s\n", opts.empty() ? "(none)" : opts.c_str());
	printf("status:      %s\n", st.status_line.c_str());
	for (auto &[k, v] : st.fields)
		printf("  %s: %s\n", k.c_str(), v.c_str());
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		std::string_view s = argv[i];
		if (s == "--")
			break;
		if (s == "--help" || s == "-h" || s == "help") {
			fputs(kUsage, stderr);
			return kExitUsage;
		}
	}
	auto args = parse_args(argc, argv);
	if (!args) {
		fprintf(stderr, "blocksig: %s\n%s", args.error().message.c_str(), kUsage);
		return kExitUsage;
	}
	const std::string cmd = args->cmd->name;
	auto usage_error = [](const bulkhead::Error &e) {
		fprintf(stderr, "blocksig: %s\n%s", e.message.c_str(), kUsage);
		return kExitUsage;
	};
	Result<int> r = 0;
	if (cmd == "format") {
		auto o = build_format(*args);
		if (!o)
			return usage_error(o.error());
		r = run_format(*o);
	} else if (cmd == "verify") {
		auto o = build_verify(*args);
		if (!o)
			return usage_error(o.error());
		r = run_verify(*o);
	} else if (cmd == "update") {
		auto o = build_update(*args);
		if (!o)
			return usage_error(o.error());
		r = run_update(*o);
	} else if (cmd == "open") {
		auto o = build_open(*args);
		if (!o)
			return usage_error(o.error());
		r = run_open(std::move(*o), *make_linux_system());
	} else {
		if (auto name = check_name(args->pos[0]); !name)
			return usage_error(name.error());
		auto sys = make_linux_system();
		r = cmd == "close" ? cmd_close(*args, *sys) : cmd_status(*args, *sys);
	}
	if (!r) {
		fprintf(stderr, "blocksig: %s\n", r.error().message.c_str());
		return kExitError;
	}
	return *r;
}
