// SPDX-License-Identifier: GPL-2.0-only
#include "vm_config.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>

#include "dom0.h" // storage: xl_disks
#include "labels.h"

namespace bulkhead::vm {
namespace {

constexpr size_t kMaxFileBytes = 16384;
constexpr size_t kMaxValue = 1024;

std::string_view trim(std::string_view s)
{
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
		s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
		s.remove_suffix(1);
	return s;
}

// Printable ASCII without the characters that are special in xl's
// quoted strings.
bool plain_value(std::string_view v)
{
	return std::all_of(v.begin(), v.end(),
			   [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

Result<uint32_t> number(std::string_view v, uint32_t min, uint32_t max)
{
	if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), ::isdigit))
		return err("not a decimal number");
	uint32_t n = uint32_t(std::stoul(std::string(v)));
	if (n < min || n > max)
		return err("out of range " + std::to_string(min) + ".." + std::to_string(max));
	return n;
}

Result<std::string> path(std::string_view v)
{
	if (v.empty() || v[0] != '/')
		return err("not an absolute path");
	if (("/" + std::string(v) + "/").find("/../") != std::string::npos)
		return err("path contains '..'");
	return std::string(v);
}

// A path (or, if NAME_OK, a plain name: a hotplug script xl finds itself)
// without what xl's disk specification would read as a separator or quote.
Result<void> disk_spec_value(std::string_view v, bool name_ok)
{
	if (v.find_first_of(",' \t=") != std::string_view::npos)
		return err("must not contain ',', '=', quotes or blanks");
	if (name_ok && !v.empty() && v.find('/') == std::string_view::npos)
		return ok();
	auto p = path(v);
	return p.ok() ? ok() : Result<void>(p.error());
}

Result<void> valid_name(std::string_view n)
{
	if (n.empty() || n.size() > 31)
		return err("must be 1..31 characters");
	if (!std::all_of(n.begin(), n.end(),
			 [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }))
		return err("only letters, digits, '-' and '_' allowed");
	if (n[0] == '-' || n[0] == '_')
		return err("must start with a letter or digit");
	if (n == "Domain-0")
		return err("reserved");
	return ok();
}

} // namespace

Result<VmConfig> parse_vm_config(std::string_view text, const std::string &file,
				 const std::string &expected_name)
{
	if (text.size() > kMaxFileBytes)
		return err(file + ": larger than " + std::to_string(kMaxFileBytes) + " bytes");
	VmConfig vm;
	std::set<std::string> seen;
	size_t lineno = 0;
	while (!text.empty()) {
		size_t nl = text.find('\n');
		std::string_view line = text.substr(0, nl);
		text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
		lineno++;
		auto where = [&](const std::string &what) {
			return err(file + ":" + std::to_string(lineno) + ": " + what);
		};
		line = trim(line);
		if (line.empty() || line[0] == '#')
			continue;
		size_t eq = line.find('=');
		if (eq == std::string_view::npos)
			return where("expected 'key = value'");
		std::string key(trim(line.substr(0, eq)));
		std::string_view val = trim(line.substr(eq + 1));
		if (!seen.insert(key).second)
			return where("'" + key + "' given twice");
		if (val.size() > kMaxValue || !plain_value(val))
			return where(key + ": value must be printable ASCII without '\"' or '\\', at most " +
				     std::to_string(kMaxValue) + " characters");
		Result<void> r = ok();
		if (key == "name") {
			r = valid_name(val);
			vm.name = val;
		} else if (key == "label") {
			auto l = gui::parse_label(val);
			if (!l.ok())
				r = l.error();
			vm.label = val;
		} else if (key == "memory") {
			auto n = number(val, 128, 1u << 20);
			if (n.ok())
				vm.memory_mib = n.value();
			else
				r = n.error();
		} else if (key == "vcpus") {
			auto n = number(val, 1, 128);
			if (n.ok())
				vm.vcpus = n.value();
			else
				r = n.error();
		} else if (key == "kernel" || key == "ramdisk") {
			auto p = path(val);
			if (p.ok())
				(key == "kernel" ? vm.kernel : vm.ramdisk) = p.value();
			else
				r = p.error();
		} else if (key == "cmdline") {
			vm.cmdline = val;
		} else if (key == "run") {
			if (val.empty())
				r = err("empty");
			vm.run = val;
		} else if (key == "storage_backend") {
			r = valid_name(val);
			vm.storage_backend = val;
		} else if (key == "storage_pool" || key == "storage_keys" || key == "storage_script") {
			// Values that go into xl's disk specification or argv.
			r = disk_spec_value(val, key == "storage_script");
			(key == "storage_pool"	 ? vm.storage_pool
			 : key == "storage_keys" ? vm.storage_keys
						 : vm.storage_script) = val;
		} else {
			return where("unknown key '" + key + "'");
		}
		if (!r.ok())
			return where(key + ": " + r.error().message);
	}
	for (const char *req : {"name", "label", "memory", "kernel"})
		if (!seen.count(req))
			return err(file + ": missing '" + req + "'");
	if (!expected_name.empty() && vm.name != expected_name)
		return err(file + ": name '" + vm.name + "' does not match the file name");
	bool storage = seen.count("storage_backend") != 0;
	for (const char *k : {"storage_pool", "storage_keys", "storage_script"})
		if (seen.count(k) && !storage)
			return err(file + ": '" + k + "' without 'storage_backend'");
	if (storage && !seen.count("storage_pool"))
		return err(file + ": 'storage_backend' needs 'storage_pool'");
	return vm;
}

Result<VmConfig> load_vm_config(const std::string &confdir, const std::string &name)
{
	if (auto r = valid_name(name); !r.ok())
		return r.error().context("VM name '" + name + "'");
	std::string file = confdir + "/" + name + ".conf";
	std::ifstream in(file);
	if (!in)
		return Error::from_errno(file, errno);
	std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	return parse_vm_config(text, file, name);
}

Result<std::vector<std::string>> list_vm_names(const std::string &confdir)
{
	DIR *d = opendir(confdir.c_str());
	if (!d)
		return Error::from_errno(confdir, errno);
	std::vector<std::string> names;
	while (dirent *e = readdir(d)) {
		std::string f = e->d_name;
		if (f.size() > 5 && f.ends_with(".conf") && f[0] != '.')
			names.push_back(f.substr(0, f.size() - 5));
	}
	closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

std::string xl_config(const VmConfig &vm)
{
	std::ostringstream o;
	o << "# generated by bulkhead from " << vm.name << ".conf; do not edit\n"
	  << "name = \"" << vm.name << "\"\n"
	  << "type = \"pv\"\n"
	  << "memory = " << vm.memory_mib << "\n"
	  << "vcpus = " << vm.vcpus << "\n"
	  << "kernel = \"" << vm.kernel << "\"\n";
	if (!vm.ramdisk.empty())
		o << "ramdisk = \"" << vm.ramdisk << "\"\n";
	if (!vm.cmdline.empty())
		o << "extra = \"" << vm.cmdline << "\"\n";
	if (!vm.storage_backend.empty()) {
		storage::PoolLayout pool{vm.storage_pool};
		o << storage::xl_disk_line(
			     storage::xl_disks(vm.name, pool, vm.storage_backend, vm.storage_script))
		  << "\n";
	}
	o << "on_poweroff = \"destroy\"\non_reboot = \"destroy\"\non_crash = \"destroy\"\n";
	return o.str();
}

} // namespace bulkhead::vm
