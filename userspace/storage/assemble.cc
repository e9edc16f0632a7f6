// SPDX-License-Identifier: GPL-2.0-only
#include "assemble.h"

#include <cstdio>

namespace storage {

using bulkhead::err;
using bulkhead::Error;

namespace {

std::string mapper(const std::string &name) { return "/dev/mapper/" + name; }

std::string join_path(const std::string &a, const std::string &b)
{
	if (a.empty() || a == "/")
		return b.empty() || b[0] != '/' ? "/" + b : b;
	std::string out = a;
	while (out.size() > 1 && out.back() == '/')
		out.pop_back();
	return b.empty() || b[0] == '/' ? out + b : out + "/" + b;
}

} // namespace

DmNames DmNames::from_prefix(const std::string &p)
{
	return {p + "-base", p + "-overlay", p + "-root", p + "-private"};
}

Assembler::~Assembler() { rollback(); }

std::string Assembler::private_target() const
{
	return join_path(cfg_.root_mount, cfg_.private_mount);
}

Result<void> Assembler::step(const std::string &what, Result<void> r)
{
	if (r)
		return r;
	Error e = r.error().context(what);
	rollback();
	return e;
}

void Assembler::rollback()
{
	while (!undo_.empty()) {
		auto [what, fn] = std::move(undo_.back());
		undo_.pop_back();
		if (auto r = fn(); !r)
			std::fprintf(stderr, "bulkhead-storage: while undoing %s: %s\n",
				     what.c_str(), r.error().message.c_str());
	}
}

Result<void> Assembler::assemble_root()
{
	const GuestConfig &c = cfg_;
	for (const auto &[what, path] :
	     {std::pair{"base image", c.base_image}, {"base metadata", c.base_meta},
	      {"base certificate", c.base_cert}, {"overlay device", c.overlay_device}})
		if (!host_.exists(path))
			return err(std::string(what) + " " + path + " does not exist");
	for (const auto &n : {names_.base, names_.overlay, names_.root})
		if (dm_.exists(n))
			return err("/dev/mapper/" + n +
				   " already exists: the stack is assembled already (teardown first)");

	TRY(step("verified base (blocksig open)",
		 base_.open(names_.base, {c.base_image, c.base_meta, c.base_cert,
					  c.base_min_version, c.base_image_id})));
	undo_.emplace_back("base", [this] { return base_.close(names_.base); });

	TRY(step("overlay (dm-crypt, fresh random key)",
		 crypt_.open_ephemeral(names_.overlay, c.overlay_device)));
	undo_.emplace_back("overlay", [this] { return crypt_.close(names_.overlay); });

	auto sectors = host_.block_sectors(mapper(names_.base));
	if (!sectors)
		return step("size of the verified base", sectors.error());
	if (*sectors == 0)
		return step("size of the verified base", err("zero sectors"));
	auto osectors = host_.block_sectors(mapper(names_.overlay));
	if (!osectors)
		return step("size of the overlay", osectors.error());
	if (*osectors < 2 * c.chunk_sectors)
		return step("size of the overlay",
			    err(std::to_string(*osectors) + " sectors is too small"));
	DmTarget snap{0, *sectors, "snapshot",
		      mapper(names_.base) + " " + mapper(names_.overlay) + " N " +
			      std::to_string(c.chunk_sectors)};
	TRY(step("root (dm-snapshot of base over overlay)", dm_.create(names_.root, {snap}, false)));
	undo_.emplace_back("root", [this] { return dm_.remove(names_.root); });

	TRY(step("mount point " + c.root_mount, host_.mkdir_p(c.root_mount)));
	TRY(step("mount root at " + c.root_mount,
		 host_.mount(mapper(names_.root), c.root_mount, c.root_fstype, false,
			     c.root_options)));
	undo_.emplace_back("root mount", [this] { return host_.umount(cfg_.root_mount); });
	commit();
	return {};
}

Result<void> Assembler::open_private()
{
	const GuestConfig &c = cfg_;
	if (!host_.exists(c.private_device))
		return err("private volume " + c.private_device + " does not exist");
	if (dm_.exists(names_.priv))
		return err("/dev/mapper/" + names_.priv + " already exists (teardown first)");

	auto key = keys_.fetch();
	if (!key)
		return key.error().context("private volume key (" + keys_.describe() + ")");

	TRY(step("private volume (LUKS2 " + c.private_device + ")",
		 crypt_.open_luks2(names_.priv, c.private_device, *key)));
	undo_.emplace_back("private volume", [this] { return crypt_.close(names_.priv); });

	std::string target = private_target();
	TRY(step("mount point " + target, host_.mkdir_p(target)));
	TRY(step("mount private volume at " + target,
		 host_.mount(mapper(names_.priv), target, c.private_fstype, false,
			     c.private_options)));
	commit();
	return {};
}

Result<void> Assembler::assemble()
{
	TRY(assemble_root());
	// The root is committed; undo it by hand if the private volume fails.
	if (auto r = open_private(); !r) {
		if (auto t = teardown(); !t)
			std::fprintf(stderr, "bulkhead-storage: teardown after failure: %s\n",
				     t.error().message.c_str());
		return r;
	}
	return {};
}

Result<void> Assembler::teardown()
{
	std::string failed;
	auto note = [&](const std::string &what, Result<void> r) {
		if (!r)
			failed += (failed.empty() ? "" : "; ") + what + ": " + r.error().message;
	};
	std::string ptarget = private_target();
	if (dm_.exists(names_.priv)) {
		note("unmount " + ptarget, host_.umount(ptarget));
		note("close " + names_.priv, crypt_.close(names_.priv));
	}
	if (dm_.exists(names_.root)) {
		note("unmount " + cfg_.root_mount, host_.umount(cfg_.root_mount));
		note("remove " + names_.root, dm_.remove(names_.root));
	}
	if (dm_.exists(names_.overlay))
		note("close " + names_.overlay, crypt_.close(names_.overlay));
	if (dm_.exists(names_.base))
		note("close " + names_.base, base_.close(names_.base));
	if (!failed.empty())
		return err("teardown: " + failed);
	return {};
}

} // namespace storage
