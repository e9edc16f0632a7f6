// SPDX-License-Identifier: GPL-2.0-only
// The narrow seams bulkhead-storage drives: device-mapper, dm-crypt
// (libcryptsetup), the blocksig verifier, the host (mounts, block sizes) and
// the source of the private volume key. Each has a real implementation
// (real.h) and a fake in the unit tests; the fakes never replace the real
// ones in the QEMU and Xen tiers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bulkhead/result.h"
#include "secret.h"

namespace storage {

using bulkhead::Result;

struct DmTarget {
	uint64_t start = 0;  // sectors
	uint64_t length = 0; // sectors
	std::string type;
	std::string params;
	bool operator==(const DmTarget &) const = default;
};

class DeviceMapper {
public:
	virtual ~DeviceMapper() = default;
	// Creates /dev/mapper/NAME with TABLE, active on return.
	virtual Result<void> create(const std::string &name, const std::vector<DmTarget> &table,
				    bool read_only) = 0;
	virtual Result<void> remove(const std::string &name) = 0;
	virtual bool exists(const std::string &name) = 0;
};

class Crypt {
public:
	virtual ~Crypt() = default;
	// Plain dm-crypt (no header) over DEVICE with a fresh random key that
	// exists only in the kernel's dm-crypt state: never stored, never sent.
	virtual Result<void> open_ephemeral(const std::string &name, const std::string &device) = 0;
	// LUKS2 activation by volume key. Refuses (without writing anything)
	// a device that is not LUKS2 or a key that does not match its digest.
	virtual Result<void> open_luks2(const std::string &name, const std::string &device,
					const Secret &volume_key) = 0;
	virtual Result<void> close(const std::string &name) = 0;
	// dom0 only: LUKS2 header with VOLUME_KEY (no keyslot, see storage.rst).
	virtual Result<void> format_luks2(const std::string &device, const Secret &volume_key) = 0;
};

struct BaseSpec {
	std::string image, meta, cert;
	uint64_t min_version = 1;
	std::string image_id; // hex; empty: not pinned
};

class BaseVerifier {
public:
	virtual ~BaseVerifier() = default;
	// A read-only dm-blocksig device /dev/mapper/NAME over the base image.
	virtual Result<void> open(const std::string &name, const BaseSpec &spec) = 0;
	virtual Result<void> close(const std::string &name) = 0;
};

class Host {
public:
	virtual ~Host() = default;
	virtual Result<uint64_t> block_sectors(const std::string &device) = 0;
	virtual bool exists(const std::string &path) = 0;
	virtual Result<void> mkdir_p(const std::string &path) = 0;
	virtual Result<void> mount(const std::string &source, const std::string &target,
				   const std::string &fstype, bool read_only,
				   const std::string &options) = 0;
	virtual Result<void> umount(const std::string &target) = 0;
};

class KeySource {
public:
	virtual ~KeySource() = default;
	// The private volume key, or an error saying why there is none.
	virtual Result<Secret> fetch() = 0;
	virtual std::string describe() const = 0;
};

} // namespace storage
