// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/xen/xenstore.h"

#include <gtest/gtest.h>

#include "bulkhead/xen/fakes.h"

using namespace bulkhead::xen;
using namespace std::chrono_literals;

namespace {

TEST(StorePath, RefusesEscapes)
{
	for (const char *bad : {"", "/local/domain/0/x", "..", "a/../b", "a//b", "a/", "./a", "a b",
				"a\n", "a/./b"})
		EXPECT_FALSE(check_store_path(bad).ok()) << "'" << bad << "'";
	for (const char *good : {"data", "data/vchan/ring-ref", "device/vif/0", "@x", "a.b-c_d"})
		EXPECT_TRUE(check_store_path(good).ok()) << good;
}

TEST(FakeStore, ReadWriteListRemove)
{
	auto xs = fake::FakeXenStore::create();
	auto s = xs->open(3, 3);
	EXPECT_EQ(s->base(), "/local/domain/3");
	ASSERT_TRUE(s->write("data/a", "1").ok());
	ASSERT_TRUE(s->write("data/b/c", "2").ok());
	EXPECT_EQ(s->read("data/a").value(), "1");
	auto l = s->list("data");
	ASSERT_TRUE(l.ok());
	EXPECT_EQ(*l, (std::vector<std::string>{"a", "b"}));
	ASSERT_TRUE(s->remove("data").ok());
	EXPECT_FALSE(s->read("data/a").ok());
	EXPECT_FALSE(s->write("data/x", std::string(Store::kMaxValue + 1, 'x')).ok());
}

TEST(FakeStore, GuestsCannotReachEachOther)
{
	auto xs = fake::FakeXenStore::create();
	ASSERT_TRUE(xs->open(1, 1)->write("data/secret", "s").ok());
	auto r = xs->open(1, 2)->read("data/secret");
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("Permission denied"), std::string::npos);
	EXPECT_TRUE(xs->open(1, 0)->read("data/secret").ok()); // dom0 may
}

TEST(FakeStore, WatchFiresInitiallyAndOnChange)
{
	auto xs = fake::FakeXenStore::create();
	auto s = xs->open(1, 1);
	auto w = s->watch("data/ready");
	ASSERT_TRUE(w.ok());
	auto first = (*w)->wait(100ms);
	ASSERT_TRUE(first.ok() && *first);
	EXPECT_EQ(**first, "data/ready");
	auto none = (*w)->next();
	ASSERT_TRUE(none.ok());
	EXPECT_FALSE(*none);
	ASSERT_TRUE(xs->open(1, 0)->write("data/ready/x", "1").ok());
	auto ev = (*w)->wait(100ms);
	ASSERT_TRUE(ev.ok() && *ev);
	EXPECT_EQ(**ev, "data/ready/x");
}

} // namespace
