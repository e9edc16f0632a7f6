// SPDX-License-Identifier: GPL-2.0-only
// The real implementations of the seams: libdevmapper, libcryptsetup, the
// blocksig tool, the running system, and the key sources (a file, or dom0
// over a vchan).
#pragma once

#include <string>

#include "seams.h"

namespace storage {

class LibDeviceMapper final : public DeviceMapper {
public:
	Result<void> create(const std::string &name, const std::vector<DmTarget> &table,
			    bool read_only) override;
	Result<void> remove(const std::string &name) override;
	bool exists(const std::string &name) override;
};

class LibCryptsetup final : public Crypt {
public:
	Result<void> open_ephemeral(const std::string &name, const std::string &device) override;
	Result<void> open_luks2(const std::string &name, const std::string &device,
				const Secret &volume_key) override;
	Result<void> close(const std::string &name) override;
	Result<void> format_luks2(const std::string &device, const Secret &volume_key) override;
	// Loads DEVICE's LUKS2 header and checks that it describes what
	// format_luks2 makes (open_luks2 does this before activating): the
	// header comes from the storage domain, which could keep the key
	// digest and change the cipher (cipher_null) to read what the AppVM
	// writes next.
	static Result<void> check_luks2(const std::string &device);
};

// Runs `blocksig open|close` (the tool loads the certificate into the
// kernel keyring and builds the dm-blocksig table).
class BlocksigTool final : public BaseVerifier {
public:
	explicit BlocksigTool(std::string tool) : tool_(std::move(tool)) {}
	Result<void> open(const std::string &name, const BaseSpec &spec) override;
	Result<void> close(const std::string &name) override;

private:
	std::string tool_;
};

class SystemHost final : public Host {
public:
	Result<uint64_t> block_sectors(const std::string &device) override;
	bool exists(const std::string &path) override;
	Result<void> mkdir_p(const std::string &path) override;
	// OPTIONS: comma-separated; ro, nodev, nosuid, noexec, noatime,
	// nodiratime, relatime become mount flags, the rest is fs data.
	Result<void> mount(const std::string &source, const std::string &target,
			   const std::string &fstype, bool read_only,
			   const std::string &options) override;
	// Succeeds if TARGET is not mounted.
	Result<void> umount(const std::string &target) override;
};

// "file:/path": raw key bytes, 32..64 of them.
class FileKeySource final : public KeySource {
public:
	explicit FileKeySource(std::string path) : path_(std::move(path)) {}
	Result<Secret> fetch() override;
	std::string describe() const override { return "key file " + path_; }

private:
	std::string path_;
};

// The key dom0 sends over a vchan (dom0 is the server); waits up to
// TIMEOUT seconds for dom0 to offer it. See key_message.h.
class VchanKeySource final : public KeySource {
public:
	VchanKeySource(std::string xs_path, unsigned timeout)
	    : path_(std::move(xs_path)), timeout_(timeout)
	{
	}
	Result<Secret> fetch() override;
	std::string describe() const override { return "vchan from dom0 at " + path_; }

private:
	std::string path_;
	unsigned timeout_;
};

// dom0: offers MESSAGE to DOMID on a vchan at XS_PATH and waits up to
// TIMEOUT seconds for the AppVM to take it and acknowledge.
Result<void> vchan_send_key_message(int domid, const std::string &xs_path,
				    std::span<const uint8_t> message, unsigned timeout);

} // namespace storage
