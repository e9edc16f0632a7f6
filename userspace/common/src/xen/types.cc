// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/xen/types.h"

#include <charconv>

namespace bulkhead::xen {

std::string GrantRefs::encode() const { return encode(0, refs_.size()); }

std::string GrantRefs::encode(size_t first, size_t count) const
{
	std::string s;
	for (size_t i = first; i < first + count && i < refs_.size(); i++) {
		if (i != first)
			s += ' ';
		s += std::to_string(refs_[i].value);
	}
	return s;
}

Result<GrantRefs> GrantRefs::parse(std::string_view text, size_t max_count)
{
	std::vector<GrantRef> refs;
	if (text.empty())
		return err("grant refs: empty list");
	size_t pos = 0;
	while (pos <= text.size()) {
		size_t end = text.find(' ', pos);
		if (end == std::string_view::npos)
			end = text.size();
		std::string_view tok = text.substr(pos, end - pos);
		if (tok.empty() || tok.size() > 10)
			return err("grant refs: malformed entry at offset " + std::to_string(pos));
		uint64_t v = 0;
		auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
		if (ec != std::errc() || p != tok.data() + tok.size() || v > UINT32_MAX)
			return err("grant refs: not a 32-bit decimal at offset " + std::to_string(pos));
		if (refs.size() == max_count)
			return err("grant refs: more than " + std::to_string(max_count) + " refs");
		refs.push_back(GrantRef{static_cast<uint32_t>(v)});
		if (end == text.size())
			break;
		pos = end + 1;
	}
	return GrantRefs(std::move(refs));
}

void GrantRefs::append(const GrantRefs &other)
{
	refs_.insert(refs_.end(), other.refs_.begin(), other.refs_.end());
}

} // namespace bulkhead::xen
