// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/xen/grant.h"

#include <gtest/gtest.h>

#include <cstring>

#include "bulkhead/xen/fakes.h"

using namespace bulkhead::xen;

namespace {

TEST(GrantRefs, EncodeParseRoundTrip)
{
	GrantRefs r({GrantRef{8}, GrantRef{9}, GrantRef{4294967295u}});
	EXPECT_EQ(r.encode(), "8 9 4294967295");
	EXPECT_EQ(r.encode(1, 1), "9");
	auto p = GrantRefs::parse(r.encode(), 3);
	ASSERT_TRUE(p.ok());
	EXPECT_EQ(p->size(), 3u);
	EXPECT_EQ((*p)[2], GrantRef{4294967295u});
}

TEST(GrantRefs, ParseRejectsHostileText)
{
	for (const char *bad : {"", " ", "1  2", "1 ", " 1", "-1", "4294967296", "1x", "0x10",
				"99999999999", "1\n2", "+5"}) {
		EXPECT_FALSE(GrantRefs::parse(bad, 100).ok()) << "'" << bad << "'";
	}
	EXPECT_FALSE(GrantRefs::parse("1 2 3", 2).ok());
	EXPECT_TRUE(GrantRefs::parse("1 2", 2).ok());
}

TEST(FakeGrants, SharedPagesAreSharedBothWays)
{
	auto table = fake::FakeGrantTable::create();
	auto guest = table->sharer(5, 64);
	auto dom0 = table->mapper(0);
	auto s = guest->share(0, 16, true);
	ASSERT_TRUE(s.ok()) << s.error().message;
	ASSERT_EQ(s->refs().size(), 16u);
	std::memcpy(s->bytes().data() + 15 * kPageSize, "guest", 6);
	auto m = dom0->map(5, s->refs(), true);
	ASSERT_TRUE(m.ok()) << m.error().message;
	EXPECT_STREQ(static_cast<char *>(m->data()) + 15 * kPageSize, "guest");
	std::memcpy(static_cast<char *>(m->data()) + 100, "dom0", 5);
	EXPECT_STREQ(reinterpret_cast<char *>(s->bytes().data()) + 100, "dom0");
	EXPECT_EQ(table->live_maps(), 1u);
	m->reset();
	EXPECT_EQ(table->live_maps(), 0u);
	*s = SharedPages();
	EXPECT_EQ(table->live_grants(), 0u);
	EXPECT_EQ(guest->shared_pages(), 0u);
}

TEST(FakeGrants, LimitIsACleanError)
{
	auto table = fake::FakeGrantTable::create();
	auto guest = table->sharer(5, 100);
	auto a = guest->share(0, 60, true);
	ASSERT_TRUE(a.ok());
	auto b = guest->share(0, 41, true);
	ASSERT_FALSE(b.ok());
	EXPECT_NE(b.error().message.find("limit of 100"), std::string::npos) << b.error().message;
	EXPECT_EQ(guest->shared_pages(), 60u);
	EXPECT_TRUE(guest->share(0, 40, true).ok());
}

TEST(FakeGrants, OtherDomainsCannotMap)
{
	auto table = fake::FakeGrantTable::create();
	auto g1 = table->sharer(1, 0);
	auto s = g1->share(0, 2, true);
	ASSERT_TRUE(s.ok());
	auto g2 = table->mapper(2);
	auto m = g2->map(1, s->refs(), false);
	ASSERT_FALSE(m.ok());
	EXPECT_NE(m.error().message.find("not granted to dom2"), std::string::npos) << m.error().message;
	auto wrong_granter = table->mapper(0)->map(3, s->refs(), false);
	EXPECT_FALSE(wrong_granter.ok());
	EXPECT_EQ(table->live_maps(), 0u);
}

TEST(FakeGrants, ReadOnlyGrantRefusesWritableMap)
{
	auto table = fake::FakeGrantTable::create();
	auto s = table->sharer(1, 0)->share(0, 1, false);
	ASSERT_TRUE(s.ok());
	auto mapper = table->mapper(0);
	EXPECT_FALSE(mapper->map(1, s->refs(), true).ok());
	EXPECT_TRUE(mapper->map(1, s->refs(), false).ok());
}

TEST(FakeGrants, RevokedRefsCannotBeMapped)
{
	auto table = fake::FakeGrantTable::create();
	auto sharer = table->sharer(1, 0);
	GrantRefs refs;
	{
		auto s = sharer->share(0, 3, true);
		ASSERT_TRUE(s.ok());
		refs = s->refs();
	}
	EXPECT_FALSE(table->mapper(0)->map(1, refs, false).ok());
}

} // namespace
