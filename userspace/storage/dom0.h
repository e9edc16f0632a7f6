// SPDX-License-Identifier: GPL-2.0-only
// dom0's side: the volume key store, creating an AppVM's volumes, and the xl
// disk lines that name the storage domain as their backend.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "seams.h"

namespace storage {

// AppVM names: 1..64 of [A-Za-z0-9_.-], not starting with '.' or '-'.
Result<void> check_vm_name(const std::string &name);

// One root-only file per AppVM: DIR/<vm>.key, mode 0600, 64 raw bytes, in a
// directory of mode 0700 owned by the caller. (Sealing them to the measured
// boot state with the TPM is firmware-policy's job, later.)
class KeyStore {
public:
	explicit KeyStore(std::string dir) : dir_(std::move(dir)) {}
	std::string path(const std::string &vm) const { return dir_ + "/" + vm + ".key"; }
	// A fresh random key; refuses to replace an existing one.
	Result<Secret> create(const std::string &vm);
	Result<Secret> load(const std::string &vm) const;
	Result<void> remove(const std::string &vm);
	bool has(const std::string &vm) const;

private:
	Result<void> check_dir(bool create) const;
	std::string dir_;
};

// Where an AppVM's volumes live in the storage domain's pool.
struct PoolLayout {
	std::string dir;			// pool directory (storage domain's view)
	std::string base_image = "base.img";	// shared by every AppVM
	std::string base_meta = "base.meta";
	std::string overlay(const std::string &vm) const { return dir + "/" + vm + "-overlay.img"; }
	std::string priv(const std::string &vm) const { return dir + "/" + vm + "-private.img"; }
	std::string base() const { return dir + "/" + base_image; }
	std::string meta() const { return dir + "/" + base_meta; }
};

struct CreateOptions {
	std::string vm;
	uint64_t private_bytes = 0;
	uint64_t overlay_bytes = 0;
	std::string mkfs = "mkfs.ext4"; // split on blanks, run as: MKFS... DEVICE
};

// Runs MKFS on a device; real: run_checked, fake in tests.
using MkfsRunner = std::function<Result<void>(const std::string &mkfs, const std::string &dev)>;

// Creates <vm>-private.img (sparse, LUKS2 with a new key from KEYS, a file
// system made through dm-crypt here in dom0) and <vm>-overlay.img (sparse;
// its content is never used twice). Refuses if the private volume or its key
// exists already; on failure removes what it created.
Result<void> create_vm_volumes(const CreateOptions &opts, const PoolLayout &pool, KeyStore &keys,
			       Crypt &crypt, const MkfsRunner &mkfs);

// The xl `disk = [...]` entries for VM, served by BACKEND (a domain name),
// in the device order the AppVM side expects: xvda base (ro), xvdb base
// metadata (ro), xvdc overlay, xvdd private volume.
// SCRIPT: the storage domain's hotplug script ("block", Xen's own, unless
// the integrator ships another).
std::vector<std::string> xl_disks(const std::string &vm, const PoolLayout &pool,
				  const std::string &backend, const std::string &script = "block");
std::string xl_disk_line(const std::vector<std::string> &disks);

} // namespace storage
