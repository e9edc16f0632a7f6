// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/xen/evtchn.h"

#include <gtest/gtest.h>
#include <poll.h>

#include "bulkhead/xen/fakes.h"

using namespace bulkhead::xen;
using namespace std::chrono_literals;

namespace {

TEST(FakeEventChannel, NotifyWakesOnlyThePeer)
{
	auto [a, b] = fake::make_event_channel_pair(0, 5);
	EXPECT_EQ(a->remote_domain(), 5);
	EXPECT_EQ(b->remote_domain(), 0);
	ASSERT_TRUE(a->notify().ok());
	EXPECT_FALSE(a->consume().value());
	struct pollfd p = {b->pollable().get(), POLLIN, 0};
	EXPECT_EQ(::poll(&p, 1, 0), 1);
	EXPECT_TRUE(b->wait(100ms).value());
	EXPECT_FALSE(b->wait(10ms).value()); // consumed
}

} // namespace
