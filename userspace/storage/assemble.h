// SPDX-License-Identifier: GPL-2.0-only
// The AppVM's storage stack, assembled all or nothing:
//
//   /dev/mapper/<p>-base     dm-blocksig over base_image + base_meta (ro)
//   /dev/mapper/<p>-overlay  plain dm-crypt over overlay_device, fresh key
//   /dev/mapper/<p>-root     dm-snapshot, non-persistent: base + overlay
//                            -> mounted at root_mount
//   /dev/mapper/<p>-private  LUKS2 over private_device, key from dom0
//                            -> mounted at root_mount + private_mount
//
// Any failing step undoes every earlier one and the error says which step
// failed and why; nothing falls back to an unverified or unencrypted device,
// and nothing is ever formatted or written on the AppVM's side except
// through the devices above.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config.h"
#include "seams.h"

namespace storage {

struct DmNames {
	std::string base, overlay, root, priv;
	static DmNames from_prefix(const std::string &prefix);
};

class Assembler {
public:
	Assembler(const GuestConfig &cfg, DeviceMapper &dm, Crypt &crypt, BaseVerifier &base,
		  Host &host, KeySource &keys)
	    : cfg_(cfg), names_(DmNames::from_prefix(cfg.dm_prefix)), dm_(dm), crypt_(crypt),
	      base_(base), host_(host), keys_(keys)
	{
	}
	~Assembler();
	Assembler(const Assembler &) = delete;
	Assembler &operator=(const Assembler &) = delete;

	// Root and private volume; on error nothing stays set up.
	Result<void> assemble();
	// Only the root (base, overlay, snapshot, mount).
	Result<void> assemble_root();
	// Only the private volume (key, LUKS2, mount), root already mounted.
	Result<void> open_private();
	// Undoes whatever of the stack exists, in reverse; reports every failure.
	Result<void> teardown();

	const DmNames &names() const { return names_; }
	std::string private_target() const;

private:
	Result<void> step(const std::string &what, Result<void> r);
	void rollback();
	void commit() { undo_.clear(); }

	const GuestConfig &cfg_;
	DmNames names_;
	DeviceMapper &dm_;
	Crypt &crypt_;
	BaseVerifier &base_;
	Host &host_;
	KeySource &keys_;
	std::vector<std::pair<std::string, std::function<Result<void>()>>> undo_;
};

} // namespace storage
