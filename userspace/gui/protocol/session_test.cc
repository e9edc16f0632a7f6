// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/gui/session.h"

#include <gtest/gtest.h>

namespace bulkhead::gui {
namespace {

class SessionTest : public ::testing::Test {
protected:
	Result<void> send(uint32_t window, GuestBody b)
	{
		// Through the wire format, as guid sees it.
		auto m = decode_guest(encode(window, ++seq_, b));
		if (!m.ok())
			return m.error();
		return s_.accept(*m);
	}
	void greet() { ASSERT_TRUE(send(0, Hello{1, 0, 800, 600}).ok()); }
	GuestSession s_{8};
	uint32_t seq_ = 0;
};

TEST_F(SessionTest, HelloFirstAndOnce)
{
	EXPECT_FALSE(send(1, Create{0, 0, 10, 10, 0, false}).ok());
	GuestSession fresh;
	auto m = decode_guest(encode(0, 1, GuestBody(Hello{2, 0, 800, 600})));
	ASSERT_TRUE(m.ok());
	EXPECT_FALSE(fresh.accept(*m).ok()); // version 2
}

TEST_F(SessionTest, SecondHello)
{
	greet();
	EXPECT_FALSE(send(0, Hello{1, 0, 800, 600}).ok());
}

TEST_F(SessionTest, OutOfOrderSequence)
{
	greet();
	seq_ += 1; // skip one
	EXPECT_FALSE(send(1, Create{0, 0, 10, 10, 0, false}).ok());
	GuestSession s;
	auto m = decode_guest(encode(0, 1, GuestBody(Hello{1, 0, 8, 8})));
	ASSERT_TRUE(s.accept(*m).ok());
	EXPECT_FALSE(s.accept(*m).ok()); // replay
}

TEST_F(SessionTest, ForgedWindowIds)
{
	greet();
	EXPECT_FALSE(send(77, Map{}).ok());
}

TEST_F(SessionTest, LifeCycle)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 100, 50, 0, false}).ok());
	ASSERT_TRUE(send(2, Create{5, 5, 10, 10, 0, true}).ok());
	ASSERT_TRUE(send(2, Map{1, true}).ok());
	ASSERT_TRUE(send(1, Title{"t"}).ok());
	ASSERT_TRUE(send(1, Buffer{1, 100, 50, 400, kFormatXRGB8888, 9}).ok());
	ASSERT_TRUE(send(1, Damage{1, 1, 5, {{0, 0, 100, 50}}}).ok());
	ASSERT_TRUE(send(1, Destroy{}).ok());
	EXPECT_EQ(s_.window_count(), 1u);
	EXPECT_FALSE(send(1, Title{"gone"}).ok());
}

TEST_F(SessionTest, DuplicateCreate)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 10, 10, 0, false}).ok());
	EXPECT_FALSE(send(1, Create{0, 0, 10, 10, 0, false}).ok());
}

TEST_F(SessionTest, UnknownParentOrTransient)
{
	greet();
	EXPECT_FALSE(send(1, Create{0, 0, 10, 10, 5, false}).ok());
	GuestSession s;
	uint32_t q = 0;
	auto acc = [&](uint32_t w, GuestBody b) { return s.accept(decode_guest(encode(w, ++q, b)).value()); };
	ASSERT_TRUE(acc(0, Hello{1, 0, 8, 8}).ok());
	ASSERT_TRUE(acc(1, Create{0, 0, 10, 10, 0, false}).ok());
	EXPECT_FALSE(acc(1, Map{6, false}).ok());
}

TEST_F(SessionTest, RestackOnlyAboveExistingWindows)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 10, 10, 0, false}).ok());
	ASSERT_TRUE(send(2, Create{0, 0, 10, 10, 0, false}).ok());
	EXPECT_TRUE(send(1, Restack{2}).ok());
	EXPECT_TRUE(send(2, Restack{0}).ok());
	EXPECT_FALSE(send(2, Restack{9}).ok());
}

TEST_F(SessionTest, WindowLimit)
{
	greet();
	for (uint32_t i = 1; i <= 8; i++)
		ASSERT_TRUE(send(i, Create{0, 0, 10, 10, 0, false}).ok());
	auto r = send(9, Create{0, 0, 10, 10, 0, false});
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("limit"), std::string::npos);
}

TEST_F(SessionTest, BuffersAndFrames)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 100, 50, 0, false}).ok());
	EXPECT_FALSE(send(1, Damage{1, 1, 0, {{0, 0, 1, 1}}}).ok()) << "no buffer yet";
}

TEST_F(SessionTest, BufferEviction)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 100, 50, 0, false}).ok());
	ASSERT_TRUE(send(1, Buffer{1, 100, 50, 400, kFormatXRGB8888, 9}).ok());
	ASSERT_TRUE(send(1, Buffer{2, 200, 50, 800, kFormatXRGB8888, 10}).ok());
	ASSERT_TRUE(send(1, Damage{1, 1, 0, {{0, 0, 100, 50}}}).ok());
	EXPECT_FALSE(send(1, Damage{2, 2, 0, {{0, 0, 201, 50}}}).ok()) << "outside buffer";
}

TEST_F(SessionTest, BufferIdsGoUp)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 100, 50, 0, false}).ok());
	ASSERT_TRUE(send(1, Buffer{5, 100, 50, 400, kFormatXRGB8888, 9}).ok());
	EXPECT_FALSE(send(1, Buffer{5, 100, 50, 400, kFormatXRGB8888, 9}).ok());
}

TEST_F(SessionTest, ThirdBufferEvictsOldest)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 100, 50, 0, false}).ok());
	for (uint32_t id = 1; id <= 3; id++)
		ASSERT_TRUE(send(1, Buffer{id, 100, 50, 400, kFormatXRGB8888, id}).ok());
	EXPECT_FALSE(send(1, Damage{1, 1, 0, {{0, 0, 1, 1}}}).ok());
}

TEST_F(SessionTest, DamageOnNewBufferRetiresOld)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 100, 50, 0, false}).ok());
	ASSERT_TRUE(send(1, Buffer{1, 100, 50, 400, kFormatXRGB8888, 1}).ok());
	ASSERT_TRUE(send(1, Buffer{2, 100, 50, 400, kFormatXRGB8888, 2}).ok());
	ASSERT_TRUE(send(1, Damage{2, 1, 0, {{0, 0, 1, 1}}}).ok());
	EXPECT_FALSE(send(1, Damage{1, 2, 0, {{0, 0, 1, 1}}}).ok());
}

TEST_F(SessionTest, FramesGoUp)
{
	greet();
	ASSERT_TRUE(send(1, Create{0, 0, 100, 50, 0, false}).ok());
	ASSERT_TRUE(send(1, Buffer{1, 100, 50, 400, kFormatXRGB8888, 9}).ok());
	ASSERT_TRUE(send(1, Damage{1, 4, 0, {{0, 0, 1, 1}}}).ok());
	EXPECT_FALSE(send(1, Damage{1, 4, 0, {{0, 0, 1, 1}}}).ok());
}

TEST(Dom0Session, WelcomeFirst)
{
	Dom0Session s;
	auto ack = decode_dom0(encode(1, 1, Dom0Body(Ack{1, 1, 0, 0, 0})));
	ASSERT_TRUE(ack.ok());
	EXPECT_FALSE(s.accept(*ack).ok());
	Dom0Session t;
	ASSERT_TRUE(t.accept(decode_dom0(encode(0, 1, Dom0Body(Welcome{1, 0, 10, 10, 4}))).value()).ok());
	EXPECT_FALSE(t.accept(decode_dom0(encode(1, 3, Dom0Body(Ack{1, 1, 0, 0, 0}))).value()).ok());
}

} // namespace
} // namespace bulkhead::gui
