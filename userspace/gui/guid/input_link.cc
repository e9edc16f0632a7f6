// SPDX-License-Identifier: GPL-2.0-only
#include "input_link.h"

#include <cstring>

namespace bulkhead::gui {
namespace {

class MemoryLink final : public InputLink {
public:
	MemoryLink(MemoryInputRing *ring, input::Producer p) : ring_(ring), producer_(std::move(p)) {}
	input::Producer &producer() override { return producer_; }
	Result<void> notify() override
	{
		ring_->notifies++;
		return ok();
	}
	int poll_fd() const override { return -1; }
	Result<void> consume() override { return ok(); }

private:
	MemoryInputRing *ring_;
	input::Producer producer_;
};

class MemoryConnector final : public InputConnector {
public:
	explicit MemoryConnector(MemoryInputRing *ring) : ring_(ring) {}
	int poll_fd() const override { return -1; }
	Result<Update> update() override
	{
		Update u;
		if (given_)
			return u;
		given_ = true;
		TRY_ASSIGN(auto p, input::Producer::attach(std::as_writable_bytes(
					   std::span(ring_->page, sizeof(ring_->page)))));
		u.changed = true;
		u.link = std::make_unique<MemoryLink>(ring_, std::move(p));
		return u;
	}

private:
	MemoryInputRing *ring_;
	bool given_ = false;
};

} // namespace

std::unique_ptr<InputConnector> memory_input_connector(MemoryInputRing *ring)
{
	return std::make_unique<MemoryConnector>(ring);
}

} // namespace bulkhead::gui
