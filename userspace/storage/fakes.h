// SPDX-License-Identifier: GPL-2.0-only
// Fakes of the seams for the unit tests: one shared log of every call, and
// a failure injected by call name.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "seams.h"

namespace storage::fake {

struct World {
	std::vector<std::string> log;
	std::set<std::string> fail;	    // call names that fail ("crypt.open_luks2", ...)
	std::set<std::string> mapped;	    // device-mapper names that exist
	std::map<std::string, std::string> mounts; // target -> source
	std::set<std::string> paths = {"/dev/xvda", "/dev/xvdb", "/dev/xvdc", "/dev/xvdd",
				       "/etc/bulkhead/base-signing.crt"};
	std::map<std::string, uint64_t> sectors = {{"/dev/mapper/bulkhead-base", 524288},
						   {"/dev/mapper/bulkhead-overlay", 131072}};
	std::vector<uint8_t> luks_key = std::vector<uint8_t>(64, 0x42);
	std::vector<DmTarget> last_table;
	int formats = 0; // format_luks2 calls: writes that must never happen in an AppVM

	Result<void> call(const std::string &name, const std::string &arg)
	{
		log.push_back(name + " " + arg);
		if (fail.count(name))
			return bulkhead::err(name + " failed (injected)");
		return {};
	}
};

class Dm final : public DeviceMapper {
public:
	explicit Dm(World &w) : w_(w) {}
	Result<void> create(const std::string &n, const std::vector<DmTarget> &t, bool) override
	{
		TRY(w_.call("dm.create", n));
		w_.last_table = t;
		w_.mapped.insert(n);
		return {};
	}
	Result<void> remove(const std::string &n) override
	{
		TRY(w_.call("dm.remove", n));
		w_.mapped.erase(n);
		return {};
	}
	bool exists(const std::string &n) override { return w_.mapped.count(n); }

private:
	World &w_;
};

class FakeCrypt final : public Crypt {
public:
	explicit FakeCrypt(World &w) : w_(w) {}
	Result<void> open_ephemeral(const std::string &n, const std::string &d) override
	{
		TRY(w_.call("crypt.open_ephemeral", n + " " + d));
		w_.mapped.insert(n);
		return {};
	}
	Result<void> open_luks2(const std::string &n, const std::string &d,
				const Secret &k) override
	{
		TRY(w_.call("crypt.open_luks2", n + " " + d));
		if (std::vector<uint8_t>(k.bytes().begin(), k.bytes().end()) != w_.luks_key)
			return bulkhead::err("the key does not match (fake)");
		w_.mapped.insert(n);
		return {};
	}
	Result<void> close(const std::string &n) override
	{
		TRY(w_.call("crypt.close", n));
		w_.mapped.erase(n);
		return {};
	}
	Result<void> format_luks2(const std::string &d, const Secret &k) override
	{
		TRY(w_.call("crypt.format_luks2", d));
		w_.formats++;
		w_.luks_key.assign(k.bytes().begin(), k.bytes().end());
		return {};
	}

private:
	World &w_;
};

class Base final : public BaseVerifier {
public:
	explicit Base(World &w) : w_(w) {}
	BaseSpec last;
	Result<void> open(const std::string &n, const BaseSpec &s) override
	{
		TRY(w_.call("base.open", n));
		last = s;
		w_.mapped.insert(n);
		return {};
	}
	Result<void> close(const std::string &n) override
	{
		TRY(w_.call("base.close", n));
		w_.mapped.erase(n);
		return {};
	}

private:
	World &w_;
};

class FakeHost final : public Host {
public:
	explicit FakeHost(World &w) : w_(w) {}
	Result<uint64_t> block_sectors(const std::string &d) override
	{
		TRY(w_.call("host.block_sectors", d));
		auto it = w_.sectors.find(d);
		if (it == w_.sectors.end())
			return bulkhead::err(d + ": no such device (fake)");
		return it->second;
	}
	bool exists(const std::string &p) override { return w_.paths.count(p); }
	Result<void> mkdir_p(const std::string &p) override { return w_.call("host.mkdir_p", p); }
	Result<void> mount(const std::string &s, const std::string &t, const std::string &fs,
			   bool, const std::string &) override
	{
		TRY(w_.call("host.mount", s + " " + t + " " + fs));
		w_.mounts[t] = s;
		return {};
	}
	Result<void> umount(const std::string &t) override
	{
		TRY(w_.call("host.umount", t));
		w_.mounts.erase(t);
		return {};
	}

private:
	World &w_;
};

class Keys final : public KeySource {
public:
	explicit Keys(World &w) : w_(w) {}
	std::vector<uint8_t> key = std::vector<uint8_t>(64, 0x42);
	Result<Secret> fetch() override
	{
		TRY(w_.call("keys.fetch", ""));
		return Secret(key);
	}
	std::string describe() const override { return "fake key source"; }

private:
	World &w_;
};

} // namespace storage::fake
