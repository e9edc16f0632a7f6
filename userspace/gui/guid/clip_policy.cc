// SPDX-License-Identifier: GPL-2.0-only
#include "clip_policy.h"

#include <cerrno>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "labels.h"

namespace bulkhead::gui {
namespace {

Result<void> check_matcher(const std::string &m)
{
	if (m == "*")
		return ok();
	if (m.rfind("label:", 0) == 0) {
		auto l = parse_label(std::string_view(m).substr(6));
		if (!l.ok())
			return l.error();
		return ok();
	}
	if (m.empty() || m.size() > 31)
		return err("'" + m + "' is not a VM name, label:COLOUR or *");
	for (char c : m)
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return err("'" + m + "' is not a VM name, label:COLOUR or *");
	return ok();
}

bool matches(const std::string &m, std::string_view vm, std::string_view label)
{
	if (m == "*")
		return true;
	if (m.rfind("label:", 0) == 0)
		return std::string_view(m).substr(6) == label;
	return m == vm;
}

} // namespace

ClipPolicy ClipPolicy::allow_all()
{
	ClipPolicy p;
	p.no_file_ = true;
	return p;
}

Result<ClipPolicy> ClipPolicy::parse(std::string_view text)
{
	ClipPolicy p;
	std::istringstream in{std::string(text)};
	std::string line;
	for (int n = 1; std::getline(in, line); n++) {
		if (size_t h = line.find('#'); h != std::string::npos)
			line.resize(h);
		std::istringstream words(line);
		std::vector<std::string> w;
		for (std::string x; words >> x;)
			w.push_back(x);
		if (w.empty())
			continue;
		auto bad = [&](const std::string &why) {
			return err("clipboard policy line " + std::to_string(n) + ": " + why);
		};
		if (w.size() != 3)
			return bad("want SOURCE TARGET allow|deny");
		for (int i = 0; i < 2; i++)
			if (auto r = check_matcher(w[i]); !r.ok())
				return bad(r.error().message);
		if (w[2] != "allow" && w[2] != "deny")
			return bad("action '" + w[2] + "' is not allow or deny");
		p.rules_.push_back(ClipRule{w[0], w[1], w[2] == "allow", n});
	}
	return p;
}

Result<ClipPolicy> ClipPolicy::load(const std::string &path)
{
	struct stat st;
	if (stat(path.c_str(), &st) < 0 && errno == ENOENT)
		return allow_all();
	std::ifstream f(path);
	if (!f)
		return err("cannot read clipboard policy " + path);
	std::stringstream ss;
	ss << f.rdbuf();
	if (ss.str().size() > (1u << 20))
		return err("clipboard policy " + path + " is over 1 MiB");
	return parse(ss.str());
}

ClipDecision ClipPolicy::decide(std::string_view src_vm, std::string_view src_label,
				std::string_view dst_vm, std::string_view dst_label) const
{
	if (no_file_)
		return {true, 0, "no policy file"};
	for (const ClipRule &r : rules_)
		if (matches(r.source, src_vm, src_label) && matches(r.target, dst_vm, dst_label))
			return {r.allow, r.line,
				"policy line " + std::to_string(r.line) + " (" + r.source + " " +
					r.target + " " + (r.allow ? "allow" : "deny") + ")"};
	return {false, 0, "no policy rule matches"};
}

} // namespace bulkhead::gui
