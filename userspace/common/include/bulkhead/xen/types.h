// SPDX-License-Identifier: GPL-2.0-only
// Value types shared by the inter-domain building blocks: a domain id, a
// grant reference, an event-channel port. Strong types so that a ref is never
// passed where a port or domid is expected; GrantRefs has the one text form
// used to publish refs (e.g. in XenStore) and the one validating parser for
// refs received from a peer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bulkhead/result.h"

namespace bulkhead::xen {

using DomainId = uint16_t;

struct GrantRef {
	uint32_t value;
	friend bool operator==(GrantRef, GrantRef) = default;
};

struct EvtchnPort {
	uint32_t value;
	friend bool operator==(EvtchnPort, EvtchnPort) = default;
};

// A list of grant refs, as shared or as received. Text form: decimal refs
// separated by single spaces.
class GrantRefs {
public:
	GrantRefs() = default;
	explicit GrantRefs(std::vector<GrantRef> refs) : refs_(std::move(refs)) {}

	size_t size() const { return refs_.size(); }
	bool empty() const { return refs_.empty(); }
	std::span<const GrantRef> refs() const { return refs_; }
	GrantRef operator[](size_t i) const { return refs_[i]; }

	std::string encode() const;
	// Encodes refs [first, first + count) only (for values with a size cap).
	std::string encode(size_t first, size_t count) const;
	// Parses the text form of at most max_count refs. Rejects anything but
	// decimal numbers < 2^32 separated by single spaces, empty input and
	// more than max_count refs: the text comes from a peer.
	static Result<GrantRefs> parse(std::string_view text, size_t max_count);
	// Appends other's refs (for chunked transfers).
	void append(const GrantRefs &other);

private:
	std::vector<GrantRef> refs_;
};

} // namespace bulkhead::xen
