// SPDX-License-Identifier: GPL-2.0-only
#include "clip_store.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulkhead/gui/protocol.h"
#include "bulkhead/unique_fd.h"

namespace bulkhead::gui {
namespace {

Result<void> write_all(int fd, std::string_view s, const std::string &path)
{
	while (!s.empty()) {
		ssize_t n = ::write(fd, s.data(), s.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return Error::from_errno("write " + path, errno);
		s.remove_prefix(size_t(n));
	}
	return ok();
}

// Reads a regular file of at most max bytes (never following a symlink).
Result<std::optional<std::string>> read_file(const std::string &path, uint64_t max)
{
	int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return std::optional<std::string>();
	if (fd < 0)
		return Error::from_errno("open " + path, errno);
	unique_fd f(fd);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return Error::from_errno("stat " + path, errno);
	if (!S_ISREG(st.st_mode) || uint64_t(st.st_size) > max)
		return err(path + ": not a regular file of at most " + std::to_string(max) + " bytes");
	std::string s(size_t(st.st_size), '\0');
	size_t got = 0;
	while (got < s.size()) {
		ssize_t n = ::read(fd, s.data() + got, s.size() - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return Error::from_errno("read " + path, errno);
		if (n == 0)
			return err(path + ": shrank while read");
		got += size_t(n);
	}
	return std::optional<std::string>(std::move(s));
}

Result<void> write_file(const std::string &dir, const std::string &name, std::string_view s)
{
	std::string tmp = dir + "/." + name + ".tmp", path = dir + "/" + name;
	::unlink(tmp.c_str());
	int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return Error::from_errno("create " + tmp, errno);
	unique_fd f(fd);
	if (fchmod(fd, 0600) < 0)
		return Error::from_errno("chmod " + tmp, errno);
	TRY(write_all(fd, s, tmp));
	if (::rename(tmp.c_str(), path.c_str()) < 0)
		return Error::from_errno("rename " + tmp, errno);
	return ok();
}

Result<unique_fd> lock(const std::string &dir)
{
	std::string path = dir + "/lock";
	int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return Error::from_errno("open " + path, errno);
	unique_fd f(fd);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return Error::from_errno("lock " + path, errno);
	return f;
}

bool vm_name_ok(std::string_view n)
{
	if (n.empty() || n.size() > 31)
		return false;
	for (char c : n)
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	return true;
}

} // namespace

std::string format_clip_meta(const ClipEntry &e)
{
	return "source=" + e.source_vm + "\nlabel=" + e.source_label + "\ntime=" +
	       std::to_string(e.time) + "\nsize=" + std::to_string(e.data.size()) +
	       "\ntype=" + clip_format_mime(e.format) + "\n";
}

Result<ClipEntry> parse_clip_meta(std::string_view meta, uint64_t max_size)
{
	ClipEntry e;
	uint64_t size = 0;
	int seen = 0;
	while (!meta.empty()) {
		size_t nl = meta.find('\n');
		if (nl == std::string_view::npos)
			return err("meta: last line not terminated");
		std::string_view line = meta.substr(0, nl);
		meta.remove_prefix(nl + 1);
		size_t eq = line.find('=');
		if (eq == std::string_view::npos)
			return err("meta: line without '='");
		std::string_view k = line.substr(0, eq), v = line.substr(eq + 1);
		auto number = [&](uint64_t max) -> Result<uint64_t> {
			if (v.empty() || v.size() > 19)
				return err("meta: bad number for " + std::string(k));
			uint64_t n = 0;
			for (char c : v) {
				if (c < '0' || c > '9')
					return err("meta: bad number for " + std::string(k));
				n = n * 10 + uint64_t(c - '0');
			}
			if (n > max)
				return err("meta: " + std::string(k) + " out of range");
			return n;
		};
		int bit;
		if (k == "source") {
			bit = 1;
			if (!vm_name_ok(v))
				return err("meta: bad source VM name");
			e.source_vm = v;
		} else if (k == "label") {
			bit = 2;
			if (!vm_name_ok(v))
				return err("meta: bad label");
			e.source_label = v;
		} else if (k == "time") {
			bit = 4;
			TRY_ASSIGN(uint64_t t, number(uint64_t(INT64_MAX)));
			e.time = int64_t(t);
		} else if (k == "size") {
			bit = 8;
			TRY_ASSIGN(size, number(max_size));
		} else if (k == "type") {
			bit = 16;
			if (v == clip_format_mime(kClipText))
				e.format = kClipText;
			else if (v == clip_format_mime(kClipPng))
				e.format = kClipPng;
			else
				return err("meta: unknown type");
		} else {
			return err("meta: unknown key " + std::string(k));
		}
		if (seen & bit)
			return err("meta: " + std::string(k) + " twice");
		seen |= bit;
	}
	if (seen != 31)
		return err("meta: a key is missing");
	e.data.resize(size_t(size)); // size only; the caller reads data
	return e;
}

Result<ClipStore> ClipStore::open(std::string dir)
{
	if (dir.empty() || dir[0] != '/')
		return err("clipboard directory must be an absolute path");
	// The parents (e.g. /run/bulkhead) may be missing on a fresh boot.
	for (size_t slash = dir.find('/', 1); slash != std::string::npos;
	     slash = dir.find('/', slash + 1)) {
		std::string parent = dir.substr(0, slash);
		if (::mkdir(parent.c_str(), 0755) < 0 && errno != EEXIST)
			return Error::from_errno("mkdir " + parent, errno);
	}
	if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST)
		return Error::from_errno("mkdir " + dir, errno);
	struct stat st;
	if (lstat(dir.c_str(), &st) < 0)
		return Error::from_errno("stat " + dir, errno);
	if (!S_ISDIR(st.st_mode))
		return err(dir + ": not a directory");
	if (st.st_uid != geteuid())
		return err(dir + ": not owned by us (uid " + std::to_string(st.st_uid) + ")");
	if (st.st_mode & 077)
		return err(dir + ": open to group or others (mode " +
			   std::to_string(st.st_mode & 0777) + "); want 0700");
	return ClipStore(std::move(dir));
}

Result<void> ClipStore::put(const ClipEntry &e)
{
	if (e.data.empty() || e.data.size() > kMaxClipboardTotal)
		return err("clipboard entry of " + std::to_string(e.data.size()) + " bytes");
	TRY_ASSIGN(unique_fd l, lock(dir_));
	::unlink((dir_ + "/meta").c_str());
	TRY(write_file(dir_, "data", e.data));
	return write_file(dir_, "meta", format_clip_meta(e));
}

Result<std::optional<ClipEntry>>
ClipStore::take(const std::function<bool(const ClipEntry &)> &accept, bool consume)
{
	TRY_ASSIGN(unique_fd l, lock(dir_));
	TRY_ASSIGN(auto meta, read_file(dir_ + "/meta", 4096));
	if (!meta)
		return std::optional<ClipEntry>();
	TRY_ASSIGN(ClipEntry e, parse_clip_meta(*meta, kMaxClipboardTotal));
	TRY_ASSIGN(auto data, read_file(dir_ + "/data", kMaxClipboardTotal));
	if (!data || data->size() != e.data.size())
		return err("clipboard: data does not match its meta (size)");
	e.data = std::move(*data);
	if (accept(e) && consume) {
		::unlink((dir_ + "/meta").c_str());
		::unlink((dir_ + "/data").c_str());
	}
	return std::optional<ClipEntry>(std::move(e));
}

Result<void> ClipStore::clear()
{
	TRY_ASSIGN(unique_fd l, lock(dir_));
	for (const char *n : {"/meta", "/data"})
		if (::unlink((dir_ + n).c_str()) < 0 && errno != ENOENT)
			return Error::from_errno("unlink " + dir_ + n, errno);
	return ok();
}

} // namespace bulkhead::gui
