// SPDX-License-Identifier: GPL-2.0-only
#include "dom0.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulkhead/unique_fd.h"
#include "real.h"

namespace storage {

using bulkhead::err;
using bulkhead::Error;
using bulkhead::unique_fd;

namespace {

constexpr size_t kKeySize = 64;

Result<void> write_all(int fd, const uint8_t *p, size_t len, const std::string &what)
{
	while (len > 0) {
		ssize_t n = ::write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return Error::from_errno(what, errno);
		p += n;
		len -= size_t(n);
	}
	return {};
}

// A new sparse file of BYTES; refuses to replace one unless REPLACE.
Result<void> make_sparse(const std::string &path, uint64_t bytes, bool replace)
{
	if (bytes == 0 || bytes % 4096)
		return err(path + ": size must be a non-zero multiple of 4096");
	int flags = O_WRONLY | O_CREAT | (replace ? O_TRUNC : O_EXCL);
	TRY_ASSIGN(unique_fd fd, unique_fd::open(path, flags, 0600));
	if (::ftruncate(fd.get(), off_t(bytes)) != 0)
		return Error::from_errno(path + ": ftruncate", errno);
	return {};
}

} // namespace

Result<void> check_vm_name(const std::string &n)
{
	if (n.empty() || n.size() > 64)
		return err("AppVM name must be 1..64 characters");
	if (n[0] == '.' || n[0] == '-')
		return err("AppVM name '" + n + "' must not start with '.' or '-'");
	for (char c : n)
		if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
			return err("AppVM name '" + n + "' has a character outside [A-Za-z0-9_.-]");
	return {};
}

Result<void> KeyStore::check_dir(bool create) const
{
	struct stat st;
	if (::stat(dir_.c_str(), &st) != 0) {
		if (errno != ENOENT || !create)
			return Error::from_errno("key store " + dir_, errno);
		if (::mkdir(dir_.c_str(), 0700) != 0)
			return Error::from_errno("key store " + dir_, errno);
		return {};
	}
	if (!S_ISDIR(st.st_mode))
		return err("key store " + dir_ + " is not a directory");
	if (st.st_uid != ::geteuid())
		return err("key store " + dir_ + " is not owned by uid " +
			   std::to_string(::geteuid()));
	if (st.st_mode & 077)
		return err("key store " + dir_ +
			   " is accessible to group or others; it must be mode 0700");
	return {};
}

bool KeyStore::has(const std::string &vm) const
{
	struct stat st;
	return check_vm_name(vm) && ::stat(path(vm).c_str(), &st) == 0;
}

Result<Secret> KeyStore::create(const std::string &vm)
{
	TRY(check_vm_name(vm));
	TRY(check_dir(true));
	TRY_ASSIGN(Secret key, random_secret(kKeySize));
	std::string p = path(vm), tmp = p + ".tmp";
	{
		TRY_ASSIGN(unique_fd fd, unique_fd::open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600));
		TRY(write_all(fd.get(), key.data(), key.size(), tmp));
		if (::fsync(fd.get()) != 0)
			return Error::from_errno(tmp, errno);
	}
	// link(2) fails if the key exists: never replace a volume's key.
	if (::link(tmp.c_str(), p.c_str()) != 0) {
		int e = errno;
		::unlink(tmp.c_str());
		if (e == EEXIST)
			return err("a key for " + vm + " exists already (" + p + ")");
		return Error::from_errno(p, e);
	}
	::unlink(tmp.c_str());
	return key;
}

Result<Secret> KeyStore::load(const std::string &vm) const
{
	TRY(check_vm_name(vm));
	TRY(check_dir(false));
	std::string p = path(vm);
	struct stat st;
	if (::stat(p.c_str(), &st) != 0) {
		if (errno == ENOENT)
			return err("no key for " + vm + " in the key store");
		return Error::from_errno(p, errno);
	}
	if (st.st_mode & 077)
		return err(p + " is accessible to group or others; refusing to use it");
	TRY_ASSIGN(unique_fd fd, unique_fd::open(p, O_RDONLY));
	Secret key(kKeySize);
	size_t got = 0;
	while (got < kKeySize) {
		ssize_t n = ::read(fd.get(), key.data() + got, kKeySize - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return Error::from_errno(p, errno);
		if (n == 0)
			break;
		got += size_t(n);
	}
	if (got != kKeySize || st.st_size != off_t(kKeySize))
		return err(p + ": not a " + std::to_string(kKeySize) + "-byte key");
	return key;
}

Result<void> KeyStore::remove(const std::string &vm)
{
	TRY(check_vm_name(vm));
	if (::unlink(path(vm).c_str()) != 0 && errno != ENOENT)
		return Error::from_errno(path(vm), errno);
	return {};
}

Result<void> create_vm_volumes(const CreateOptions &o, const PoolLayout &pool, KeyStore &keys,
			       Crypt &crypt, const MkfsRunner &mkfs)
{
	TRY(check_vm_name(o.vm));
	std::string priv = pool.priv(o.vm), overlay = pool.overlay(o.vm);
	if (keys.has(o.vm))
		return err("a key for " + o.vm + " exists already: its volumes were created before");
	TRY(make_sparse(priv, o.private_bytes, false));
	bool ok = false;
	struct Cleanup {
		std::function<void()> fn;
		~Cleanup() { fn(); }
	} cleanup{[&] {
		if (ok)
			return;
		::unlink(priv.c_str());
		(void)keys.remove(o.vm);
	}};
	TRY_ASSIGN(Secret key, keys.create(o.vm));
	TRY(crypt.format_luks2(priv, key));
	std::string tmpname = "bulkhead-create-" + o.vm;
	TRY(crypt.open_luks2(tmpname, priv, key));
	auto made = mkfs(o.mkfs, "/dev/mapper/" + tmpname);
	auto closed = crypt.close(tmpname);
	if (!made)
		return made.error().context("file system on the private volume");
	TRY(closed);
	TRY(make_sparse(overlay, o.overlay_bytes, true));
	ok = true;
	return {};
}

std::vector<std::string> xl_disks(const std::string &vm, const PoolLayout &pool,
				  const std::string &backend, const std::string &script)
{
	// A backend other than dom0: libxl cannot stat the target, so the
	// type is given (phy) and the storage domain's `block` hotplug script
	// attaches the files to loop devices.
	std::string common =
		"backend=" + backend + ",format=raw,backendtype=phy,script=" + script + ",";
	return {
		common + "vdev=xvda,access=ro,target=" + pool.base(),
		common + "vdev=xvdb,access=ro,target=" + pool.meta(),
		common + "vdev=xvdc,access=rw,target=" + pool.overlay(vm),
		common + "vdev=xvdd,access=rw,target=" + pool.priv(vm),
	};
}

std::string xl_disk_line(const std::vector<std::string> &disks)
{
	std::string s = "disk = [ ";
	for (size_t i = 0; i < disks.size(); i++)
		s += (i ? ", '" : "'") + disks[i] + "'";
	return s + " ]";
}

} // namespace storage
