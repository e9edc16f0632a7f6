// SPDX-License-Identifier: GPL-2.0-only
#include "device.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <keyutils.h>
#include <libdevmapper.h>
#include <linux/loop.h>
#include <sstream>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bulkhead/hex.h"

using bulkhead::err;
using bulkhead::Error;
using bulkhead::Result;
using bulkhead::unique_fd;

namespace blocksig {

std::string key_description(const std::string &name) { return "blocksig:" + name; }

std::string table_params(const DevNum &data, const DevNum &meta, const std::string &name,
			 const ImageId &image_id, uint64_t min_version, const TableOptions &opts)
{
	std::vector<std::string> args;
	switch (opts.on_corruption) {
	case OnCorruption::Eio:
		break;
	case OnCorruption::Restart:
		args.push_back("restart_on_corruption");
		break;
	case OnCorruption::Panic:
		args.push_back("panic_on_corruption");
		break;
	case OnCorruption::Ignore:
		args.push_back("ignore_corruption");
		break;
	}
	if (opts.cache_entries) {
		args.push_back("cache_entries");
		args.push_back(std::to_string(*opts.cache_entries));
	}
	std::string s = data.str() + " " + meta.str() + " " + key_description(name) + " " +
			bulkhead::to_hex(image_id) + " " + std::to_string(min_version);
	if (!args.empty()) {
		s += " " + std::to_string(args.size());
		for (auto &a : args)
			s += " " + a;
	}
	return s;
}

Result<void> check_name(const std::string &name)
{
	if (name.empty() || name.size() >= 128 || name == "." || name == "..")
		return err("bad device name '" + name + "'");
	for (unsigned char c : name)
		if (c == '/' || c <= ' ' || c >= 0x7f)
			return err("bad device name '" + name +
				   "': use printable characters without '/' or spaces");
	return {};
}

Result<void> open_device(System &sys, const OpenParams &p)
{
	if (!sys.is_root())
		return err("open needs root (device-mapper, loop devices and keyring)");
	TRY(check_name(p.name));
	TRY_ASSIGN(auto existing, sys.dm_table(p.name));
	if (existing)
		return err("a device named " + p.name + " already exists");

	TRY_ASSIGN(Attached data, sys.attach_read_only(p.image));
	auto meta = sys.attach_read_only(p.meta);
	if (!meta) {
		sys.detach(data);
		return meta.error();
	}
	auto key = sys.add_key(key_description(p.name), p.cert_der);
	if (!key) {
		sys.detach(*meta);
		sys.detach(data);
		return key.error();
	}
	DmTarget t{0, p.data_sectors, BLOCKSIG_TARGET_NAME,
		   table_params(data.dev, meta->dev, p.name, p.image_id, p.min_version, p.opts)};
	auto created = sys.dm_create_ro(p.name, t);
	if (!created) {
		sys.unlink_key(*key);
		sys.detach(*meta);
		sys.detach(data);
		return created.error();
	}
	// Success: the table holds the loop devices; closing our fds lets
	// them auto-clear when the device is removed.
	return {};
}

namespace {

Result<std::vector<DmTarget>> blocksig_table(System &sys, const std::string &name)
{
	TRY_ASSIGN(auto table, sys.dm_table(name));
	if (!table)
		return err("no blocksig device " + name);
	if (table->size() != 1 || (*table)[0].type != BLOCKSIG_TARGET_NAME)
		return err(name + " is not a blocksig device (target " +
			   (table->empty() ? std::string("none") : (*table)[0].type) + ")");
	return *table;
}

} // namespace

Result<void> close_device(System &sys, const std::string &name)
{
	if (!sys.is_root())
		return err("close needs root (device-mapper and keyring)");
	TRY(check_name(name));
	TRY(blocksig_table(sys, name));
	TRY(sys.dm_remove(name));
	if (auto serial = sys.find_key(key_description(name)))
		sys.unlink_key(*serial);
	return {};
}

Result<StatusInfo> parse_table_params(const std::string &params)
{
	std::istringstream in(params);
	std::vector<std::string> w;
	for (std::string s; in >> s;)
		w.push_back(s);
	if (w.size() < 5)
		return err("unexpected blocksig table '" + params + "'");
	StatusInfo st;
	st.data_dev = w[0];
	st.meta_dev = w[1];
	st.key_desc = w[2];
	st.image_id = w[3];
	st.min_version = std::strtoull(w[4].c_str(), nullptr, 10);
	for (size_t i = 6; i < w.size(); i++)
		st.options.push_back(w[i]);
	return st;
}

Result<StatusInfo> status_device(System &sys, const std::string &name)
{
	TRY(check_name(name));
	TRY_ASSIGN(auto table, blocksig_table(sys, name));
	TRY_ASSIGN(StatusInfo st, parse_table_params(table[0].params));
	st.sectors = table[0].length;
	TRY_ASSIGN(auto status, sys.dm_status(name));
	if (status.size() != 1 || status[0].type != BLOCKSIG_TARGET_NAME)
		return err(name + " changed while reading its status");
	st.status_line = status[0].params;
	std::istringstream in(st.status_line);
	for (std::string s; in >> s;) {
		auto eq = s.find('=');
		if (eq != std::string::npos)
			st.fields.emplace_back(s.substr(0, eq), s.substr(eq + 1));
	}
	return st;
}

// --- The real system --------------------------------------------------------

namespace {

thread_local std::string dm_last_error;

void dm_log_capture(int level, const char *, int, int, const char *f, ...)
{
	if ((level & 7) > 3) // _LOG_ERR
		return;
	char buf[512];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	dm_last_error = buf;
}

struct DmTaskFree {
	void operator()(dm_task *t) const { dm_task_destroy(t); }
};
using DmTaskPtr = std::unique_ptr<dm_task, DmTaskFree>;

Error dm_error(const std::string &what)
{
	std::string why = dm_last_error.empty() ? "failed" : dm_last_error;
	dm_last_error.clear();
	return err("device-mapper: " + what + ": " + why);
}

Result<DmTaskPtr> new_task(int type, const std::string &name)
{
	dm_last_error.clear();
	DmTaskPtr t(dm_task_create(type));
	if (!t)
		return dm_error("not available (is dm-mod loaded, /dev/mapper/control present, "
				"and are you root?)");
	if (!dm_task_set_name(t.get(), name.c_str()))
		return dm_error("bad name " + name);
	return t;
}

std::vector<DmTarget> dm_targets(dm_task *t)
{
	std::vector<DmTarget> out;
	void *next = nullptr;
	do {
		uint64_t start = 0, length = 0;
		char *type = nullptr, *params = nullptr;
		next = dm_get_next_target(t, next, &start, &length, &type, &params);
		if (type)
			out.push_back({start, length, type, params ? params : ""});
	} while (next);
	return out;
}

Result<void> loop_configure(const unique_fd &loop, const unique_fd &file, const std::string &path)
{
	struct loop_info64 info;
	memset(&info, 0, sizeof(info));
	info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
	strncpy(reinterpret_cast<char *>(info.lo_file_name), path.c_str(), LO_NAME_SIZE - 1);
#ifdef LOOP_CONFIGURE
	struct loop_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = static_cast<__u32>(file.get());
	cfg.info = info;
	if (ioctl(loop.get(), LOOP_CONFIGURE, &cfg) == 0)
		return {};
	if (errno != EINVAL && errno != ENOTTY)
		return Error::from_errno("LOOP_CONFIGURE", errno);
#endif
	if (ioctl(loop.get(), LOOP_SET_FD, file.get()) != 0)
		return Error::from_errno("LOOP_SET_FD", errno);
	if (ioctl(loop.get(), LOOP_SET_STATUS64, &info) != 0) {
		int e = errno;
		ioctl(loop.get(), LOOP_CLR_FD, 0);
		return Error::from_errno("LOOP_SET_STATUS64", e);
	}
	return {};
}

class LinuxSystem final : public System {
public:
	LinuxSystem()
	{
		// No udev in the guest: libdevmapper makes /dev/mapper nodes itself.
		setenv("DM_DISABLE_UDEV", "1", 1);
		dm_udev_set_sync_support(0);
		dm_log_with_errno_init(dm_log_capture);
	}
	~LinuxSystem() override { dm_lib_release(); }

	bool is_root() override { return geteuid() == 0; }

	Result<Attached> attach_read_only(const std::string &path) override
	{
		struct stat st;
		if (stat(path.c_str(), &st) != 0)
			return Error::from_errno(path, errno);
		Attached a;
		if (S_ISBLK(st.st_mode)) {
			a.dev = {major(st.st_rdev), minor(st.st_rdev)};
			return a;
		}
		if (!S_ISREG(st.st_mode))
			return err(path + ": not a regular file or block device");
		TRY_ASSIGN(auto file, unique_fd::open(path, O_RDONLY));
		TRY_ASSIGN(auto ctl, unique_fd::open("/dev/loop-control", O_RDWR));
		for (int attempt = 0;; attempt++) {
			int n = ioctl(ctl.get(), LOOP_CTL_GET_FREE);
			if (n < 0)
				return Error::from_errno("LOOP_CTL_GET_FREE", errno);
			a.loop_path = "/dev/loop" + std::to_string(n);
			TRY_ASSIGN(a.loop_fd, unique_fd::open(a.loop_path, O_RDONLY));
			auto r = loop_configure(a.loop_fd, file, path);
			if (r)
				break;
			// Another process took this loop device first: try the next.
			if (errno != EBUSY || attempt >= 16)
				return r.error().context(path + ": " + a.loop_path);
		}
		if (fstat(a.loop_fd.get(), &st) != 0)
			return Error::from_errno(a.loop_path, errno);
		a.dev = {major(st.st_rdev), minor(st.st_rdev)};
		return a;
	}

	void detach(Attached &a) override
	{
		if (a.loop_fd)
			ioctl(a.loop_fd.get(), LOOP_CLR_FD, 0);
		a.loop_fd.reset();
	}

	Result<int32_t> add_key(const std::string &desc, std::span<const uint8_t> der) override
	{
		key_serial_t k = ::add_key("asymmetric", desc.c_str(), der.data(), der.size(),
					   KEY_SPEC_USER_KEYRING);
		if (k < 0)
			return Error::from_errno("cannot add certificate to the user keyring as " +
							 desc + " (asymmetric key type)",
						 errno);
		return k;
	}

	std::optional<int32_t> find_key(const std::string &desc) override
	{
		long k = keyctl_search(KEY_SPEC_USER_KEYRING, "asymmetric", desc.c_str(), 0);
		if (k < 0)
			return std::nullopt;
		return static_cast<int32_t>(k);
	}

	void unlink_key(int32_t serial) override
	{
		keyctl_unlink(serial, KEY_SPEC_USER_KEYRING);
	}

	Result<std::optional<std::vector<DmTarget>>> dm_table(const std::string &name) override
	{
		TRY_ASSIGN(auto t, new_task(DM_DEVICE_TABLE, name));
		if (!dm_task_run(t.get())) {
			// Older kernels fail the ioctl for a missing device.
			if (errno == ENXIO)
				return std::optional<std::vector<DmTarget>>();
			return dm_error("table of " + name);
		}
		struct dm_info info;
		if (!dm_task_get_info(t.get(), &info))
			return dm_error("info of " + name);
		if (!info.exists)
			return std::optional<std::vector<DmTarget>>();
		return std::optional(dm_targets(t.get()));
	}

	Result<std::vector<DmTarget>> dm_status(const std::string &name) override
	{
		TRY_ASSIGN(auto t, new_task(DM_DEVICE_STATUS, name));
		if (!dm_task_run(t.get()))
			return dm_error("status of " + name);
		return dm_targets(t.get());
	}

	Result<void> dm_create_ro(const std::string &name, const DmTarget &tgt) override
	{
		TRY_ASSIGN(auto t, new_task(DM_DEVICE_CREATE, name));
		if (!dm_task_set_ro(t.get()) ||
		    !dm_task_add_target(t.get(), tgt.start, tgt.length, tgt.type.c_str(),
					tgt.params.c_str()) ||
		    !dm_task_set_add_node(t.get(), DM_ADD_NODE_ON_CREATE))
			return dm_error("cannot set up the table of " + name);
		if (!dm_task_run(t.get())) {
			auto e = dm_error("cannot create " + name + " (is dm-blocksig loaded?)");
			dm_task_update_nodes();
			return e;
		}
		dm_task_update_nodes();
		return {};
	}

	Result<void> dm_remove(const std::string &name) override
	{
		TRY_ASSIGN(auto t, new_task(DM_DEVICE_REMOVE, name));
		dm_task_retry_remove(t.get());
		if (!dm_task_run(t.get()))
			return dm_error("cannot remove " + name);
		dm_task_update_nodes();
		return {};
	}
};

} // namespace

std::unique_ptr<System> make_linux_system() { return std::make_unique<LinuxSystem>(); }

} // namespace blocksig
