// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/xen/message_channel.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "bulkhead/xen/fakes.h"

using namespace bulkhead::xen;
using namespace std::chrono_literals;
using fake::FakeTransport;

namespace {

std::vector<std::byte> bytes(size_t n, uint32_t seed)
{
	std::vector<std::byte> v(n);
	for (size_t i = 0; i < n; i++)
		v[i] = static_cast<std::byte>((i * 2654435761u + seed) >> 7);
	return v;
}

struct Pair {
	FakeTransport *a_raw, *b_raw;
	std::unique_ptr<MessageChannel> a, b;
};

Pair make_pair(fake::PipeOptions o, ChannelLimits l)
{
	auto [ta, tb] = fake::make_transport_pair(o);
	Pair p{ta.get(), tb.get(), nullptr, nullptr};
	p.a = std::make_unique<MessageChannel>(std::move(ta), l);
	p.b = std::make_unique<MessageChannel>(std::move(tb), l);
	return p;
}

TEST(MessageChannel, RoundTrip)
{
	auto p = make_pair({}, {.max_message = 1024});
	auto payload = bytes(100, 1);
	ASSERT_TRUE(p.a->send(42, payload, 1s).ok());
	auto m = p.b->receive_wait(1s);
	ASSERT_TRUE(m.ok()) << m.error().message;
	EXPECT_EQ(m->type, 42u);
	EXPECT_EQ(m->payload, payload);
	auto none = p.b->receive();
	ASSERT_TRUE(none.ok());
	EXPECT_FALSE(*none);
}

TEST(MessageChannel, ShortReadsAndWrites)
{
	auto p = make_pair({.capacity = 64 * 1024, .max_read_chunk = 1, .max_write_chunk = 3},
			   {.max_message = 4096});
	std::vector<std::vector<std::byte>> sent;
	for (uint32_t i = 0; i < 20; i++) {
		sent.push_back(bytes(i * 97 % 4097, i));
		ASSERT_TRUE(p.a->send(i, sent.back(), 1s).ok());
	}
	ASSERT_TRUE(p.a->drain(1s).ok());
	for (uint32_t i = 0; i < 20; i++) {
		auto m = p.b->receive_wait(1s);
		ASSERT_TRUE(m.ok()) << m.error().message;
		EXPECT_EQ(m->type, i);
		EXPECT_EQ(m->payload, sent[i]);
	}
}

TEST(MessageChannel, SmallRingQueuesAndFlushes)
{
	// A 100-byte ring cannot hold one 3000-byte message: the sender queues
	// and the receiver drains in pieces.
	auto p = make_pair({.capacity = 100}, {.max_message = 3000});
	auto big = bytes(3000, 9);
	auto q = p.a->try_send(5, big);
	ASSERT_TRUE(q.ok());
	EXPECT_TRUE(*q);
	EXPECT_TRUE(p.a->has_pending());
	EXPECT_EQ(p.a->pending_bytes(), 3008u - 100u);
	std::optional<Message> got;
	for (int i = 0; i < 1000 && !got; i++) {
		ASSERT_TRUE(p.a->flush().ok());
		auto m = p.b->receive();
		ASSERT_TRUE(m.ok());
		got = std::move(*m);
	}
	ASSERT_TRUE(got);
	EXPECT_EQ(got->payload, big);
	EXPECT_FALSE(p.a->has_pending());
}

TEST(MessageChannel, BoundedQueueSaysNotNow)
{
	auto p = make_pair({.capacity = 16}, {.max_message = 100, .max_queued = 250});
	auto m = bytes(100, 1);
	int accepted = 0;
	for (int i = 0; i < 10; i++) {
		auto r = p.a->try_send(1, m);
		ASSERT_TRUE(r.ok());
		if (!*r)
			break;
		accepted++;
	}
	EXPECT_EQ(accepted, 2); // 16 in the ring + 2 frames of 108 queued <= 250
	EXPECT_LE(p.a->pending_bytes(), 250u);
	EXPECT_FALSE(p.a->dead());
}

TEST(MessageChannel, OversizedSendRefusedChannelStaysUsable)
{
	auto p = make_pair({}, {.max_message = 10});
	auto r = p.a->try_send(1, bytes(11, 0));
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("exceeds"), std::string::npos);
	EXPECT_FALSE(p.a->dead());
	ASSERT_TRUE(p.a->send(1, bytes(10, 0), 1s).ok());
	EXPECT_TRUE(p.b->receive_wait(1s).ok());
}

TEST(MessageChannel, OversizedReceiveKillsChannel)
{
	auto p = make_pair({}, {.max_message = 1000});
	auto h = encode_frame_header(1, 1001);
	p.a_raw->inject(h);
	p.a_raw->inject(bytes(1001, 0));
	auto m = p.b->receive();
	ASSERT_FALSE(m.ok());
	EXPECT_NE(m.error().message.find("exceeds the channel maximum 1000"), std::string::npos)
		<< m.error().message;
	EXPECT_TRUE(p.b->dead());
	// Dead for good, same error; nothing of the payload was read.
	auto again = p.b->receive();
	ASSERT_FALSE(again.ok());
	EXPECT_EQ(again.error().message, m.error().message);
	EXPECT_FALSE(p.b->try_send(1, bytes(1, 0)).ok());
	EXPECT_EQ(p.a_raw->buffered_for_peer(), 1001u);
}

TEST(MessageChannel, GarbageLengths)
{
	for (uint32_t len : {0xffffffffu, 0x80000000u, 65u << 20, 1025u}) {
		auto p = make_pair({.max_read_chunk = 3}, {.max_message = 1024});
		auto h = encode_frame_header(0, len);
		p.a_raw->inject(h);
		std::optional<bool> failed;
		for (int i = 0; i < 10 && !failed; i++) {
			auto m = p.b->receive();
			if (!m.ok())
				failed = true;
		}
		EXPECT_TRUE(failed.value_or(false)) << len;
		EXPECT_TRUE(p.b->dead());
	}
}

TEST(MessageChannel, TruncatedFrameThenCloseIsAnError)
{
	auto p = make_pair({}, {.max_message = 1000});
	auto h = encode_frame_header(1, 500);
	p.a_raw->inject(h);
	p.a_raw->inject(bytes(200, 0));
	p.a_raw->close();
	auto m = p.b->receive();
	ASSERT_FALSE(m.ok());
	EXPECT_NE(m.error().message.find("truncated"), std::string::npos) << m.error().message;
	EXPECT_NE(m.error().message.find("200 of 500"), std::string::npos) << m.error().message;
}

TEST(MessageChannel, CleanCloseAtBoundaryReportsPeerClosed)
{
	auto p = make_pair({}, {.max_message = 1000});
	ASSERT_TRUE(p.a->send(1, bytes(10, 0), 1s).ok());
	p.a.reset();
	auto m = p.b->receive_wait(1s);
	ASSERT_TRUE(m.ok()); // data before the close is delivered
	auto end = p.b->receive_wait(1s);
	ASSERT_FALSE(end.ok());
	EXPECT_NE(end.error().message.find("peer closed"), std::string::npos) << end.error().message;
}

TEST(MessageChannel, NeverReadsPastAFrame)
{
	auto p = make_pair({}, {.max_message = 1000});
	ASSERT_TRUE(p.a->send(1, bytes(10, 0), 1s).ok());
	ASSERT_TRUE(p.a->send(2, bytes(20, 0), 1s).ok());
	auto m = p.b->receive();
	ASSERT_TRUE(m.ok() && *m);
	EXPECT_EQ((*m)->type, 1u);
	// The second frame is still entirely in the transport.
	EXPECT_EQ(p.a_raw->buffered_for_peer(), kFrameHeaderSize + 20);
}

TEST(MessageChannel, TimeoutsNameWhatTimedOut)
{
	auto p = make_pair({}, {.max_message = 1000});
	auto m = p.b->receive_wait(20ms);
	ASSERT_FALSE(m.ok());
	EXPECT_NE(m.error().message.find("timed out"), std::string::npos);
	EXPECT_FALSE(p.b->dead());
}

// Both ends send and receive at once on two threads, random sizes, tiny
// ring, random short reads/writes: every message arrives once, in order.
TEST(MessageChannel, InterleavedFullDuplex)
{
	auto p = make_pair({.capacity = 777, .max_read_chunk = 0, .max_write_chunk = 0},
			   {.max_message = 5000});
	p.a_raw->set_read_chunk(13);
	p.b_raw->set_write_chunk(101);
	constexpr int kCount = 300;
	auto run = [](MessageChannel &ch, uint32_t seed, std::string &failure) {
		std::mt19937 rng(seed), peer_rng(seed ^ 1);
		int sent = 0, got = 0;
		std::vector<std::byte> next;
		while (sent < kCount || got < kCount || ch.has_pending()) {
			bool progress = false;
			if (sent < kCount) {
				if (next.empty())
					next = bytes(rng() % 5001, seed + sent);
				auto r = ch.try_send(seed + sent, next);
				if (!r.ok()) {
					failure = r.error().message;
					return;
				}
				if (*r) {
					sent++;
					next.clear();
					progress = true;
				}
			}
			auto f = ch.flush();
			if (!f.ok()) {
				failure = f.error().message;
				return;
			}
			auto m = ch.receive();
			if (!m.ok()) {
				failure = m.error().message;
				return;
			}
			if (*m) {
				uint32_t peer_seed = seed ^ 1;
				auto want = bytes(peer_rng() % 5001, peer_seed + got);
				if ((*m)->type != peer_seed + static_cast<uint32_t>(got) || (*m)->payload != want) {
					failure = "message " + std::to_string(got) + " differs";
					return;
				}
				got++;
				progress = true;
			}
			if (!progress) {
				auto w = ch.wait(1000ms);
				if (!w.ok()) {
					failure = w.error().message;
					return;
				}
			}
		}
	};
	std::string fa, fb;
	std::thread ta([&] { run(*p.a, 100, fa); });
	std::thread tb([&] { run(*p.b, 101, fb); });
	ta.join();
	tb.join();
	EXPECT_EQ(fa, "");
	EXPECT_EQ(fb, "");
}

} // namespace
