// SPDX-License-Identifier: GPL-2.0-only
#include "real.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <libcryptsetup.h>
#include <libdevmapper.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "bulkhead/unique_fd.h"
#include "exec.h"

namespace storage {

using bulkhead::err;
using bulkhead::Error;
using bulkhead::unique_fd;

// ---- libdevmapper ----------------------------------------------------------

namespace {

// libdm reports through a log callback; keep its last error for our message.
thread_local std::string dm_last_error;

void dm_log(int level, const char *, int, int, const char *f, ...)
{
	if ((level & 7) > 3) // _LOG_ERR = 3; ignore warnings and debug
		return;
	char buf[512];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	dm_last_error = buf;
}

struct DmTaskDeleter {
	void operator()(dm_task *t) const { dm_task_destroy(t); }
};
using DmTask = std::unique_ptr<dm_task, DmTaskDeleter>;

Result<DmTask> dm_task_for(int type, const std::string &name)
{
	static bool logger = (dm_log_with_errno_init(dm_log), true);
	(void)logger;
	DmTask t(dm_task_create(type));
	if (!t)
		return err("dm_task_create failed");
	if (!dm_task_set_name(t.get(), name.c_str()))
		return err("bad device-mapper name '" + name + "'");
	return t;
}

Result<void> dm_run_with_cookie(dm_task *t, const std::string &what)
{
	uint32_t cookie = 0;
	dm_last_error.clear();
	if (!dm_task_set_cookie(t, &cookie, 0))
		return err(what + ": cannot set udev cookie");
	int ok = dm_task_run(t);
	dm_udev_wait(cookie);
	if (!ok)
		return err(what + ": " + (dm_last_error.empty() ? "failed" : dm_last_error));
	return {};
}

} // namespace

Result<void> LibDeviceMapper::create(const std::string &name, const std::vector<DmTarget> &table,
				     bool read_only)
{
	TRY_ASSIGN(DmTask t, dm_task_for(DM_DEVICE_CREATE, name));
	if (read_only && !dm_task_set_ro(t.get()))
		return err("dm_task_set_ro failed");
	for (const auto &tg : table)
		if (!dm_task_add_target(t.get(), tg.start, tg.length, tg.type.c_str(),
					tg.params.c_str()))
			return err("dm_task_add_target " + tg.type + " failed");
	return dm_run_with_cookie(t.get(), "create /dev/mapper/" + name);
}

Result<void> LibDeviceMapper::remove(const std::string &name)
{
	TRY_ASSIGN(DmTask t, dm_task_for(DM_DEVICE_REMOVE, name));
	dm_task_retry_remove(t.get());
	return dm_run_with_cookie(t.get(), "remove /dev/mapper/" + name);
}

bool LibDeviceMapper::exists(const std::string &name)
{
	auto t = dm_task_for(DM_DEVICE_INFO, name);
	if (!t || !dm_task_run(t->get()))
		return false;
	dm_info info{};
	return dm_task_get_info(t->get(), &info) && info.exists;
}

// ---- libcryptsetup ---------------------------------------------------------

namespace {

// Overlay and private volume: AES-256-XTS (64-byte key), 4 KiB sectors.
constexpr const char *kCipher = "aes";
constexpr const char *kCipherMode = "xts-plain64";
constexpr size_t kVolumeKeySize = 64;
constexpr uint32_t kSectorSize = 4096;
constexpr uint64_t kLuksMetadataSize = 16384; // each of the two JSON areas
constexpr uint64_t kLuksDataOffset = 1 << 20;

thread_local std::string crypt_last_error;

void crypt_log(int level, const char *msg, void *)
{
	if (level != CRYPT_LOG_ERROR)
		return;
	crypt_last_error = msg;
	while (!crypt_last_error.empty() && crypt_last_error.back() == '\n')
		crypt_last_error.pop_back();
}

struct CryptDeleter {
	void operator()(crypt_device *cd) const { crypt_free(cd); }
};
using CryptDevice = std::unique_ptr<crypt_device, CryptDeleter>;

Error crypt_error(const std::string &what, int r)
{
	std::string why = crypt_last_error.empty() ? std::strerror(-r) : crypt_last_error;
	return err(what + ": " + why);
}

Result<CryptDevice> crypt_open_device(const std::string &device)
{
	static bool logger = (crypt_set_log_callback(nullptr, crypt_log, nullptr), true);
	(void)logger;
	crypt_last_error.clear();
	crypt_device *cd = nullptr;
	if (int r = crypt_init(&cd, device.c_str()); r < 0)
		return crypt_error("cannot open " + device, r);
	return CryptDevice(cd);
}

// What format_luks2 writes, and nothing else. The key digest only proves
// that the key is right, not that the segment uses it the way dom0 meant.
Result<void> check_luks2_header(crypt_device *cd, const std::string &device)
{
	auto refuse = [&](const std::string &why) {
		return err(device + ": the LUKS2 header " + why +
			   " (not as dom0 formatted it; refusing it, nothing was written)");
	};
	const char *c = crypt_get_cipher(cd), *m = crypt_get_cipher_mode(cd);
	std::string cipher = std::string(c ? c : "(none)") + "-" + (m ? m : "(none)");
	if (cipher != std::string(kCipher) + "-" + kCipherMode)
		return refuse("names cipher " + cipher + ", not " + kCipher + "-" + kCipherMode);
	// (The key size is not in a header without keyslots: the 64-byte key
	// the AppVM activates with must match the digest, and XTS with it is
	// AES-256.)
	if (int n = crypt_get_sector_size(cd); n != static_cast<int>(kSectorSize))
		return refuse("has " + std::to_string(n) + "-byte sectors, not " +
			      std::to_string(kSectorSize));
	if (uint64_t off = crypt_get_data_offset(cd); off != kLuksDataOffset / 512)
		return refuse("puts the data at sector " + std::to_string(off) + ", not " +
			      std::to_string(kLuksDataOffset / 512));
	uint32_t req = 0;
	if (crypt_persistent_flags_get(cd, CRYPT_FLAGS_REQUIREMENTS, &req) < 0 || req != 0)
		return refuse("carries requirement flags (e.g. a reencryption in progress)");
	return {};
}

} // namespace

Result<void> LibCryptsetup::check_luks2(const std::string &device)
{
	TRY_ASSIGN(CryptDevice cd, crypt_open_device(device));
	if (int r = crypt_load(cd.get(), CRYPT_LUKS2, nullptr); r < 0)
		return crypt_error(device + " is not a LUKS2 volume (refusing to use it)", r);
	return check_luks2_header(cd.get(), device);
}

Result<void> LibCryptsetup::open_ephemeral(const std::string &name, const std::string &device)
{
	TRY_ASSIGN(CryptDevice cd, crypt_open_device(device));
	crypt_params_plain p{};
	p.sector_size = kSectorSize;
	if (int r = crypt_format(cd.get(), CRYPT_PLAIN, kCipher, kCipherMode, nullptr, nullptr,
				 kVolumeKeySize, &p);
	    r < 0)
		return crypt_error("plain dm-crypt setup of " + device, r);
	TRY_ASSIGN(Secret key, random_secret(kVolumeKeySize));
	if (int r = crypt_activate_by_volume_key(cd.get(), name.c_str(), key.chars(), key.size(),
						 0);
	    r < 0)
		return crypt_error("activate " + name, r);
	return {};
}

Result<void> LibCryptsetup::open_luks2(const std::string &name, const std::string &device,
				       const Secret &volume_key)
{
	TRY_ASSIGN(CryptDevice cd, crypt_open_device(device));
	if (int r = crypt_load(cd.get(), CRYPT_LUKS2, nullptr); r < 0)
		return crypt_error(device + " is not a LUKS2 volume (refusing to use it)", r);
	TRY(check_luks2_header(cd.get(), device));
	int r = crypt_activate_by_volume_key(cd.get(), name.c_str(), volume_key.chars(),
					     volume_key.size(), 0);
	if (r == -EPERM)
		return err("the key does not match the LUKS2 header of " + device +
			   " (wrong key); nothing was written");
	if (r < 0)
		return crypt_error("activate " + name, r);
	return {};
}

Result<void> LibCryptsetup::close(const std::string &name)
{
	crypt_last_error.clear();
	crypt_device *cd = nullptr;
	if (int r = crypt_init_by_name(&cd, name.c_str()); r < 0)
		return crypt_error("close " + name, r);
	CryptDevice owned(cd);
	if (int r = crypt_deactivate(cd, name.c_str()); r < 0)
		return crypt_error("close " + name, r);
	return {};
}

Result<void> LibCryptsetup::format_luks2(const std::string &device, const Secret &volume_key)
{
	if (volume_key.size() != kVolumeKeySize)
		return err("volume key must be " + std::to_string(kVolumeKeySize) + " bytes");
	TRY_ASSIGN(CryptDevice cd, crypt_open_device(device));
	// No keyslot is ever added (dom0 keeps the volume key itself): a
	// small header, data at 1 MiB instead of LUKS2's default 16 MiB.
	if (int r = crypt_set_metadata_size(cd.get(), kLuksMetadataSize,
					    kLuksDataOffset - 2 * kLuksMetadataSize);
	    r < 0)
		return crypt_error("LUKS2 header size for " + device, r);
	crypt_params_luks2 p{};
	p.sector_size = kSectorSize;
	p.label = "bulkhead-private";
	if (int r = crypt_format(cd.get(), CRYPT_LUKS2, kCipher, kCipherMode, nullptr,
				 volume_key.chars(), volume_key.size(), &p);
	    r < 0)
		return crypt_error("LUKS2 format of " + device, r);
	return {};
}

// ---- blocksig --------------------------------------------------------------

Result<void> BlocksigTool::open(const std::string &name, const BaseSpec &s)
{
	std::vector<std::string> argv = {tool_,	   "open",	  s.image,
					 s.meta,   name,	  "--cert",
					 s.cert,   "--min-version", std::to_string(s.min_version)};
	if (!s.image_id.empty()) {
		argv.push_back("--image-id");
		argv.push_back(s.image_id);
	}
	return run_checked(argv);
}

Result<void> BlocksigTool::close(const std::string &name)
{
	return run_checked({tool_, "close", name});
}

// ---- host ------------------------------------------------------------------

Result<uint64_t> SystemHost::block_sectors(const std::string &device)
{
	TRY_ASSIGN(unique_fd fd, unique_fd::open(device, O_RDONLY));
	uint64_t bytes = 0;
	struct stat st;
	if (fstat(fd.get(), &st) != 0)
		return Error::from_errno(device, errno);
	if (S_ISREG(st.st_mode))
		bytes = uint64_t(st.st_size);
	else if (ioctl(fd.get(), BLKGETSIZE64, &bytes) != 0)
		return Error::from_errno(device + ": BLKGETSIZE64", errno);
	return bytes / 512;
}

bool SystemHost::exists(const std::string &path)
{
	struct stat st;
	return ::stat(path.c_str(), &st) == 0;
}

Result<void> SystemHost::mkdir_p(const std::string &path)
{
	std::string cur;
	std::stringstream ss(path);
	std::string part;
	if (!path.empty() && path[0] == '/')
		cur = "";
	while (std::getline(ss, part, '/')) {
		if (part.empty())
			continue;
		cur += "/" + part;
		if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
			return Error::from_errno("mkdir " + cur, errno);
	}
	return {};
}

Result<void> SystemHost::mount(const std::string &source, const std::string &target,
			       const std::string &fstype, bool read_only,
			       const std::string &options)
{
	unsigned long flags = read_only ? MS_RDONLY : 0;
	std::string data;
	std::stringstream ss(options);
	std::string o;
	while (std::getline(ss, o, ',')) {
		if (o.empty())
			continue;
		if (o == "ro")
			flags |= MS_RDONLY;
		else if (o == "nodev")
			flags |= MS_NODEV;
		else if (o == "nosuid")
			flags |= MS_NOSUID;
		else if (o == "noexec")
			flags |= MS_NOEXEC;
		else if (o == "noatime")
			flags |= MS_NOATIME;
		else if (o == "nodiratime")
			flags |= MS_NODIRATIME;
		else if (o == "relatime")
			flags |= MS_RELATIME;
		else
			data += (data.empty() ? "" : ",") + o;
	}
	if (::mount(source.c_str(), target.c_str(), fstype.c_str(), flags,
		    data.empty() ? nullptr : data.c_str()) != 0)
		return Error::from_errno("mount " + source + " on " + target + " (" + fstype + ")",
					 errno);
	return {};
}

Result<void> SystemHost::umount(const std::string &target)
{
	if (::umount2(target.c_str(), 0) == 0)
		return {};
	int e = errno;
	if (e == EINVAL || e == ENOENT)
		return {}; // not a mount point (any more)
	return Error::from_errno("umount " + target, e);
}

// ---- key from a file -------------------------------------------------------

Result<Secret> FileKeySource::fetch()
{
	TRY_ASSIGN(unique_fd fd, unique_fd::open(path_, O_RDONLY));
	Secret buf(kVolumeKeySize + 1);
	size_t got = 0;
	for (;;) {
		ssize_t n = read(fd.get(), buf.data() + got, buf.size() - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return Error::from_errno(path_, errno);
		if (n == 0)
			break;
		got += size_t(n);
		if (got == buf.size())
			return err(path_ + ": longer than " + std::to_string(kVolumeKeySize) +
				   " bytes");
	}
	if (got == 0)
		return err(path_ + ": empty");
	return Secret(std::span<const uint8_t>(buf.data(), got));
}

} // namespace storage
