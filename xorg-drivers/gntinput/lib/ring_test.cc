// SPDX-License-Identifier: GPL-2.0-only
// The input ring: producer (dom0) against consumer (AppVM) on one page, and
// each side against a hostile peer writing the page directly.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "consumer.h"
#include "producer.h"

namespace bulkhead::input {
namespace {

struct Page {
	alignas(4096) std::array<std::byte, GNTINPUT_PAGE_SIZE> bytes{};
	gntinput_page *p() { return reinterpret_cast<gntinput_page *>(bytes.data()); }
};

struct Ring {
	Page page;
	gntinput_consumer c;
	Producer prod;
	Ring() : prod(init(page)) { gntinput_consumer_init(&c, page.bytes.data(), 800, 600); }
	static Producer init(Page &pg)
	{
		gntinput_page_init(pg.bytes.data());
		auto r = Producer::attach(pg.bytes);
		EXPECT_TRUE(r.ok());
		return std::move(r).value();
	}
	// Drains the ring into a vector; returns whether a notify was asked.
	std::vector<gntinput_event> drain(bool *notify = nullptr)
	{
		std::vector<gntinput_event> v;
		gntinput_event e;
		while (gntinput_consumer_next(&c, &e) == GNTINPUT_NEXT_EVENT)
			v.push_back(e);
		bool n = gntinput_consumer_finish(&c);
		if (notify)
			*notify = n;
		return v;
	}
	// Flushes and drains until the producer's queue is empty.
	std::vector<gntinput_event> pump()
	{
		std::vector<gntinput_event> all;
		for (int i = 0; i < 100000; i++) {
			auto f = prod.flush();
			EXPECT_TRUE(f.ok());
			auto v = drain();
			all.insert(all.end(), v.begin(), v.end());
			if (!prod.queued() && v.empty())
				break;
		}
		return all;
	}
};

TEST(InputRing, PageLayout)
{
	EXPECT_EQ(offsetof(gntinput_page, xkb), 64u);
	EXPECT_EQ(offsetof(gntinput_page, ring), 2048u);
}

TEST(InputRing, RoundTripEveryType)
{
	Ring r;
	r.prod.motion(10, 20);
	r.prod.button(1, true, 10, 20);
	r.prod.button(1, false, 11, 21);
	r.prod.key(38, true);
	r.prod.key(38, false);
	r.prod.scroll(0, -2);
	r.prod.crossing(true, 5, 6);
	r.prod.focus(false);
	ASSERT_TRUE(r.prod.flush().value());
	auto v = r.drain();
	ASSERT_EQ(v.size(), 8u);
	EXPECT_EQ(v[0].type, GNTINPUT_EV_MOTION);
	EXPECT_EQ(v[0].x, 10);
	EXPECT_EQ(v[1].type, GNTINPUT_EV_BUTTON);
	EXPECT_EQ(v[1].flags, GNTINPUT_F_PRESS);
	EXPECT_EQ(v[2].flags, 0);
	EXPECT_EQ(v[2].x, 11);
	EXPECT_EQ(v[3].detail, 38u);
	EXPECT_EQ(v[5].type, GNTINPUT_EV_SCROLL);
	EXPECT_EQ(v[5].y, -2);
	EXPECT_EQ(v[6].type, GNTINPUT_EV_CROSSING);
	EXPECT_EQ(v[7].type, GNTINPUT_EV_FOCUS);
	EXPECT_EQ(r.c.invalid, 0u);
}

TEST(InputRing, CoordinatesClampedToTheScreen)
{
	Ring r;
	r.prod.motion(5000, -7);
	ASSERT_TRUE(r.prod.flush().ok());
	auto v = r.drain();
	ASSERT_EQ(v.size(), 1u);
	EXPECT_EQ(v[0].x, 799);
	EXPECT_EQ(v[0].y, 0);
}

TEST(InputRing, TenThousandKeysCompleteAndInOrder)
{
	Ring r;
	std::vector<gntinput_event> got;
	for (int i = 0; i < 5000; i++) {
		uint32_t k = 8 + uint32_t(i % 248);
		r.prod.key(k, true);
		r.prod.key(k, false);
		if (i % 37 == 0) { // the consumer runs now and then
			ASSERT_TRUE(r.prod.flush().ok());
			auto v = r.drain();
			got.insert(got.end(), v.begin(), v.end());
		}
	}
	auto v = r.pump();
	got.insert(got.end(), v.begin(), v.end());
	ASSERT_EQ(got.size(), 10000u);
	for (int i = 0; i < 10000; i++) {
		EXPECT_EQ(got[i].detail, 8 + uint32_t((i / 2) % 248)) << i;
		EXPECT_EQ(got[i].flags, i % 2 ? 0 : GNTINPUT_F_PRESS) << i;
	}
	EXPECT_EQ(r.prod.stats().dropped, 0u);
}

TEST(InputRing, MotionCoalescedOnlyWhenFull)
{
	Ring r;
	for (int i = 0; i < 10; i++)
		r.prod.motion(i, i);
	ASSERT_TRUE(r.prod.flush().ok());
	EXPECT_EQ(r.drain().size(), 10u); // room: nothing merged
	ASSERT_TRUE(r.prod.flush().ok());  // sees the room again
	// Fill the ring, then queue motions around a click.
	for (uint32_t i = 0; i < GNTINPUT_RING_SIZE; i++)
		r.prod.motion(1, 1);
	ASSERT_TRUE(r.prod.flush().ok());
	for (int i = 0; i < 50; i++)
		r.prod.motion(100 + i, 100);
	r.prod.button(1, true, 149, 100);
	for (int i = 0; i < 50; i++)
		r.prod.motion(200 + i, 100);
	r.prod.button(1, false, 249, 100);
	EXPECT_EQ(r.prod.queued(), 4u); // motion, press, motion, release
	auto v = r.pump();
	ASSERT_EQ(v.size(), GNTINPUT_RING_SIZE + 4);
	auto *t = &v[GNTINPUT_RING_SIZE];
	EXPECT_EQ(t[0].type, GNTINPUT_EV_MOTION);
	EXPECT_EQ(t[0].x, 149);
	EXPECT_EQ(t[1].type, GNTINPUT_EV_BUTTON);
	EXPECT_EQ(t[2].x, 249);
	EXPECT_EQ(t[3].type, GNTINPUT_EV_BUTTON);
	EXPECT_EQ(t[3].flags, 0);
	EXPECT_EQ(r.prod.stats().coalesced, 98u);
}

TEST(InputRing, FullRingAsksForNotifyAndLosesNoRelease)
{
	Ring r;
	for (int i = 0; i < 1000; i++) {
		r.prod.key(30, true);
		r.prod.key(30, false);
	}
	ASSERT_TRUE(r.prod.flush().ok());
	EXPECT_EQ(r.prod.queued(), 2000u - GNTINPUT_RING_SIZE);
	EXPECT_EQ(r.page.p()->want_notify, 1u);
	bool notify = false;
	auto v = r.drain(&notify);
	EXPECT_TRUE(notify);
	EXPECT_EQ(r.page.p()->want_notify, 0u);
	auto rest = r.pump();
	v.insert(v.end(), rest.begin(), rest.end());
	ASSERT_EQ(v.size(), 2000u);
	EXPECT_EQ(r.c.unbalanced, 0u);
}

TEST(InputRing, StalledAppVmBoundedAndBalanced)
{
	Ring r;
	// The AppVM never consumes while 3 x kMaxQueue presses and releases
	// arrive, with keys held across the limit.
	r.prod.key(50, true); // Shift held throughout
	for (size_t i = 0; i < 3 * Producer::kMaxQueue; i++) {
		r.prod.key(38, true);
		r.prod.motion(int32_t(i % 800), 1);
		r.prod.key(38, false);
		ASSERT_TRUE(r.prod.flush().ok());
	}
	r.prod.key(50, false);
	EXPECT_LE(r.prod.queued(), Producer::kMaxQueue + 256);
	EXPECT_GT(r.prod.stats().dropped, 0u);
	auto v = r.pump();
	// Every press the AppVM saw has its release, and Shift's came last.
	int down[256] = {};
	for (auto &e : v)
		if (e.type == GNTINPUT_EV_KEY)
			down[e.detail] += e.flags ? 1 : -1;
	for (int k = 0; k < 256; k++)
		EXPECT_EQ(down[k], 0) << k;
	EXPECT_EQ(v.back().type, GNTINPUT_EV_KEY);
	EXPECT_EQ(v.back().detail, 50u);
	EXPECT_EQ(v.back().flags, 0);
	EXPECT_EQ(r.c.unbalanced, 0u);
	EXPECT_EQ(r.prod.keys_down(), 0u);
}

TEST(InputRing, ReleaseAllAndForeignReleases)
{
	Ring r;
	r.prod.key(40, false); // pressed elsewhere: not forwarded
	r.prod.key(40, true);
	r.prod.key(41, true);
	r.prod.button(3, true, 7, 8);
	r.prod.release_all();
	r.prod.release_all(); // nothing left
	auto v = r.pump();
	ASSERT_EQ(v.size(), 6u);
	EXPECT_EQ(v[3].detail, 40u);
	EXPECT_EQ(v[3].flags, 0);
	EXPECT_EQ(v[4].detail, 41u);
	EXPECT_EQ(v[5].type, GNTINPUT_EV_BUTTON);
	EXPECT_EQ(v[5].detail, 3u);
	EXPECT_EQ(r.prod.keys_down(), 0u);
	EXPECT_EQ(r.prod.buttons_down(), 0u);
}

// A dom0 shortcut: the held modifiers are released, a held button is not,
// and the user's own later releases of them are not forwarded twice.
TEST(InputRing, ReleaseKeysKeepsButtons)
{
	Ring r;
	r.prod.key(37, true); // Control_L
	r.prod.key(50, true); // Shift_L
	r.prod.button(1, true, 5, 6);
	r.prod.release_keys();
	r.prod.key(50, false);
	r.prod.key(37, false);
	auto v = r.pump();
	ASSERT_EQ(v.size(), 5u);
	EXPECT_EQ(v[3].type, GNTINPUT_EV_KEY);
	EXPECT_EQ(v[3].detail, 37u);
	EXPECT_EQ(v[3].flags, 0);
	EXPECT_EQ(v[4].detail, 50u);
	EXPECT_EQ(v[4].flags, 0);
	EXPECT_EQ(r.prod.keys_down(), 0u);
	EXPECT_EQ(r.prod.buttons_down(), 1u << 1);
}

TEST(InputRing, LayoutThroughTheSeqlock)
{
	Ring r;
	ASSERT_TRUE(r.prod.layout({"evdev", "pc105", "de", "", "compose:ralt"}).ok());
	EXPECT_FALSE(r.prod.layout({"evdev", "pc105", "de;rm -rf", "", ""}).ok());
	EXPECT_FALSE(r.prod.layout({"", "pc105", "us", "", ""}).ok());
	EXPECT_FALSE(r.prod.layout({"evdev", "", std::string(200, 'a'), "", ""}).ok());
	ASSERT_TRUE(r.prod.flush().ok());
	auto v = r.drain();
	ASSERT_EQ(v.size(), 1u);
	ASSERT_EQ(v[0].type, GNTINPUT_EV_LAYOUT);
	gntinput_layout l;
	ASSERT_EQ(gntinput_consumer_layout(&r.c, v[0].detail, &l), 0);
	EXPECT_STREQ(l.layout, "de");
	EXPECT_STREQ(l.options, "compose:ralt");
	// Two changes before the AppVM looks: the first event is stale.
	ASSERT_TRUE(r.prod.layout({"evdev", "pc105", "us", "", ""}).ok());
	ASSERT_TRUE(r.prod.flush().ok());
	ASSERT_TRUE(r.prod.layout({"evdev", "pc105", "fr", "", ""}).ok());
	ASSERT_TRUE(r.prod.flush().ok());
	v = r.drain();
	ASSERT_EQ(v.size(), 2u);
	EXPECT_EQ(gntinput_consumer_layout(&r.c, v[0].detail, &l), -1);
	ASSERT_EQ(gntinput_consumer_layout(&r.c, v[1].detail, &l), 0);
	EXPECT_STREQ(l.layout, "fr");
	// A write in progress (odd seq) is never applied.
	r.page.p()->xkb.seq = v[1].detail + 1;
	EXPECT_EQ(gntinput_consumer_layout(&r.c, v[1].detail + 1, &l), -1);
}

TEST(InputRing, RestartedProducerContinues)
{
	Ring r;
	r.prod.key(38, true);
	ASSERT_TRUE(r.prod.flush().ok());
	auto p2 = Producer::attach(r.page.bytes);
	ASSERT_TRUE(p2.ok());
	p2->motion(3, 4);
	ASSERT_TRUE(p2->flush().ok());
	auto v = r.drain();
	ASSERT_EQ(v.size(), 2u);
	EXPECT_EQ(v[1].type, GNTINPUT_EV_MOTION);
}

// --- a hostile AppVM against the producer

TEST(InputRingHostile, ProducerRefusesBadPages)
{
	Page pg;
	EXPECT_FALSE(Producer::attach(pg.bytes).ok()); // no magic
	gntinput_page_init(pg.bytes.data());
	pg.p()->version_major = 2;
	EXPECT_FALSE(Producer::attach(pg.bytes).ok());
	gntinput_page_init(pg.bytes.data());
	pg.p()->cons = 1000; // ahead of prod
	EXPECT_FALSE(Producer::attach(pg.bytes).ok());
	EXPECT_FALSE(Producer::attach(std::span(pg.bytes).first(100)).ok());
}

TEST(InputRingHostile, ProducerDetectsForgedConsumerIndex)
{
	Ring r;
	r.prod.motion(1, 1);
	ASSERT_TRUE(r.prod.flush().ok());
	r.page.p()->cons = 0x80000000u;
	r.prod.motion(2, 2);
	EXPECT_FALSE(r.prod.flush().ok());
}

// --- a hostile producer against the consumer

struct RawRing {
	Page page;
	gntinput_consumer c;
	RawRing()
	{
		gntinput_page_init(page.bytes.data());
		gntinput_consumer_init(&c, page.bytes.data(), 640, 480);
	}
	void put(gntinput_event e)
	{
		auto *p = page.p();
		p->ring[p->prod % GNTINPUT_RING_SIZE] = e;
		p->prod++;
	}
	std::vector<gntinput_event> drain()
	{
		std::vector<gntinput_event> v;
		gntinput_event e;
		while (gntinput_consumer_next(&c, &e) == GNTINPUT_NEXT_EVENT)
			v.push_back(e);
		gntinput_consumer_finish(&c);
		return v;
	}
};

TEST(InputRingHostile, ConsumerSkipsInvalidEvents)
{
	RawRing r;
	const gntinput_event bad[] = {
		{0, 0, 0, 0, 0},
		{99, 0, 0, 0, 0},
		{GNTINPUT_EV_KEY, GNTINPUT_F_PRESS, 7, 0, 0},
		{GNTINPUT_EV_KEY, GNTINPUT_F_PRESS, 256, 0, 0},
		{GNTINPUT_EV_KEY, 0x2, 38, 0, 0},
		{GNTINPUT_EV_KEY, GNTINPUT_F_PRESS, 38, 1, 0},
		{GNTINPUT_EV_BUTTON, GNTINPUT_F_PRESS, 0, 0, 0},
		{GNTINPUT_EV_BUTTON, GNTINPUT_F_PRESS, 4, 0, 0},
		{GNTINPUT_EV_BUTTON, GNTINPUT_F_PRESS, 13, 0, 0},
		{GNTINPUT_EV_BUTTON, GNTINPUT_F_PRESS, 1, 40000, 0},
		{GNTINPUT_EV_MOTION, 0, 0, 0, -40000},
		{GNTINPUT_EV_MOTION, 1, 0, 0, 0},
		{GNTINPUT_EV_MOTION, 0, 5, 0, 0},
		{GNTINPUT_EV_SCROLL, 0, 0, 0, 0},
		{GNTINPUT_EV_SCROLL, 0, 0, 65, 0},
		{GNTINPUT_EV_CROSSING, 2, 0, 0, 0},
		{GNTINPUT_EV_FOCUS, 0, 0, 1, 0},
		{GNTINPUT_EV_LAYOUT, 0, 3, 0, 0},
	};
	for (auto &e : bad)
		r.put(e);
	r.put({GNTINPUT_EV_KEY, 0, 38, 0, 0}); // release never pressed
	r.put({GNTINPUT_EV_KEY, GNTINPUT_F_PRESS, 38, 0, 0});
	auto v = r.drain();
	ASSERT_EQ(v.size(), 1u);
	EXPECT_EQ(v[0].detail, 38u);
	EXPECT_EQ(r.c.invalid, std::size(bad));
	EXPECT_EQ(r.c.unbalanced, 1u);
	// The AppVM releases what is down when it has to (focus lost).
	gntinput_event rel[4];
	ASSERT_EQ(gntinput_consumer_release_all(&r.c, rel, 4), 1u);
	EXPECT_EQ(rel[0].detail, 38u);
	EXPECT_EQ(rel[0].flags, 0);
}

TEST(InputRingHostile, ConsumerStopsOnImpossibleIndex)
{
	RawRing r;
	r.page.p()->prod = GNTINPUT_RING_SIZE + 1;
	gntinput_event e;
	EXPECT_EQ(gntinput_consumer_next(&r.c, &e), GNTINPUT_NEXT_BROKEN);
	r.page.p()->prod = 0;
	EXPECT_EQ(gntinput_consumer_next(&r.c, &e), GNTINPUT_NEXT_BROKEN); // stays broken
}

TEST(InputRingHostile, ConsumerRefusesBadLayoutNames)
{
	RawRing r;
	auto *x = &r.page.p()->xkb;
	x->seq = 2;
	strcpy(x->rules, "evdev");
	strcpy(x->layout, "us\"; xkbcomp");
	gntinput_layout l;
	EXPECT_EQ(gntinput_consumer_layout(&r.c, 2, &l), -1);
	strcpy(x->layout, "us");
	memset(x->options, 'a', sizeof(x->options)); // no NUL
	EXPECT_EQ(gntinput_consumer_layout(&r.c, 2, &l), -1);
	x->options[0] = 0;
	EXPECT_EQ(gntinput_consumer_layout(&r.c, 2, &l), 0);
}

} // namespace
} // namespace bulkhead::input
