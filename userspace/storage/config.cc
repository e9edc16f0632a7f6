// SPDX-License-Identifier: GPL-2.0-only
#include "config.h"

#include "bulkhead/hex.h"

#include <cctype>
#include <charconv>
#include <functional>
#include <sstream>
#include <vector>

namespace storage {

using bulkhead::err;
using bulkhead::Result;

namespace {

Result<uint64_t> parse_u64(const std::string &v, uint64_t max)
{
	uint64_t out = 0;
	auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
	if (ec != std::errc() || p != v.data() + v.size() || v.empty())
		return err("not a number: '" + v + "'");
	if (out > max)
		return err("out of range: " + v + " > " + std::to_string(max));
	return out;
}

struct Field {
	const char *key;
	std::function<Result<void>(GuestConfig &, const std::string &)> set;
	std::function<std::string(const GuestConfig &)> get;
};

#define STR_FIELD(k)                                                                               \
	Field{#k,                                                                                  \
	      [](GuestConfig &c, const std::string &v) -> Result<void> {                          \
		      c.k = v;                                                                     \
		      return {};                                                                   \
	      },                                                                                   \
	      [](const GuestConfig &c) { return c.k; }}
#define NUM_FIELD(k, max)                                                                          \
	Field{#k,                                                                                  \
	      [](GuestConfig &c, const std::string &v) -> Result<void> {                          \
		      auto n = parse_u64(v, max);                                                  \
		      if (!n)                                                                      \
			      return n.error();                                                    \
		      c.k = static_cast<decltype(c.k)>(*n);                                        \
		      return {};                                                                   \
	      },                                                                                   \
	      [](const GuestConfig &c) { return std::to_string(c.k); }}

const std::vector<Field> &fields()
{
	static const std::vector<Field> f = {
		STR_FIELD(base_image),
		STR_FIELD(base_meta),
		STR_FIELD(base_cert),
		NUM_FIELD(base_min_version, UINT64_MAX),
		STR_FIELD(base_image_id),
		STR_FIELD(overlay_device),
		STR_FIELD(private_device),
		STR_FIELD(private_key),
		NUM_FIELD(key_timeout, 3600),
		STR_FIELD(key_vchan_path),
		STR_FIELD(root_mount),
		STR_FIELD(private_mount),
		STR_FIELD(root_fstype),
		STR_FIELD(private_fstype),
		STR_FIELD(root_options),
		STR_FIELD(private_options),
		STR_FIELD(dm_prefix),
		NUM_FIELD(chunk_sectors, 1024),
		STR_FIELD(blocksig),
	};
	return f;
}

std::string trim(std::string_view s)
{
	size_t b = s.find_first_not_of(" \t\r");
	if (b == std::string_view::npos)
		return {};
	size_t e = s.find_last_not_of(" \t\r");
	return std::string(s.substr(b, e - b + 1));
}

} // namespace

Result<void> set_config(GuestConfig &cfg, const std::string &key, const std::string &value)
{
	for (const auto &f : fields()) {
		if (key != f.key)
			continue;
		auto r = f.set(cfg, value);
		if (!r)
			return r.error().context(key);
		if (key == "chunk_sectors" && (cfg.chunk_sectors == 0 ||
					       (cfg.chunk_sectors & (cfg.chunk_sectors - 1))))
			return err("chunk_sectors: must be a power of two");
		if (key == "dm_prefix" && (value.empty() || value.find_first_of("/ \t") !=
								 std::string::npos))
			return err("dm_prefix: must be a non-empty name without '/' or blanks");
		if (key == "base_image_id") {
			if (!value.empty() && !bulkhead::from_hex(value, kImageIdBytes))
				return err("base_image_id: must be empty or " +
					   std::to_string(2 * kImageIdBytes) + " hex digits");
			for (char &ch : cfg.base_image_id)
				ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
		}
		return {};
	}
	return err("unknown key '" + key + "'");
}

Result<void> parse_config(std::string_view text, GuestConfig &cfg)
{
	size_t lineno = 0;
	while (!text.empty()) {
		size_t nl = text.find('\n');
		std::string_view line = text.substr(0, nl);
		text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
		lineno++;
		if (size_t hash = line.find('#'); hash != std::string_view::npos)
			line = line.substr(0, hash);
		std::string l = trim(line);
		if (l.empty())
			continue;
		size_t eq = l.find('=');
		if (eq == std::string::npos)
			return err("line " + std::to_string(lineno) + ": expected 'key = value'");
		auto r = set_config(cfg, trim(std::string_view(l).substr(0, eq)),
				    trim(std::string_view(l).substr(eq + 1)));
		if (!r)
			return r.error().context("line " + std::to_string(lineno));
	}
	return {};
}

std::string dump_config(const GuestConfig &cfg)
{
	std::ostringstream o;
	for (const auto &f : fields())
		o << f.key << " = " << f.get(cfg) << "\n";
	return o.str();
}

} // namespace storage
