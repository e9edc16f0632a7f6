// SPDX-License-Identifier: GPL-2.0-only
// bulkhead-xentest: the Xen tier's test program, run in dom0 and in guests,
// exercising bulkhead_xen (the real implementations, never the fakes).
//
//   grant-share  --peer D --pages N --key K [--ro]      guest: share, publish, keep writing
//   grant-map    --domid D --key K                       dom0: map, check live, write back
//   grant-over-limit --peer D --pages N [--cap M]        guest: expect a clean error
//   chan-serve   --peer D --path P --bytes B [--msg M] [--forever]
//   chan-connect --domid D --path P --bytes B [--msg M] [--kill-after B --kill-cmd C]
//   attack-xenstore --victim D --key K                   guest: read another guest's node
//   attack-vchan --victim D --path P                     guest: connect to its channel
//   attack-grants --victim D --refs-key K                guest: map its refs
//   bench-serve / bench-connect --mode raw|chan [--no-death-watch]  throughput + round trip
//   bench-grant-share / bench-grant-map                  map/unmap cost per page
//
// Every subcommand prints what it did and exits 0 on the expected outcome.
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include <libxenvchan.h>
}

#include "bulkhead/xen/grant.h"
#include "bulkhead/xen/message_channel.h"
#include "bulkhead/xen/vchan.h"
#include "bulkhead/xen/xenstore.h"

using namespace bulkhead;
using namespace bulkhead::xen;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// ------------------------------------------------------------------ helpers

struct Args {
	std::map<std::string, std::string> kv;
	std::string get(const std::string &k, const std::string &def = "") const
	{
		auto it = kv.find(k);
		return it == kv.end() ? def : it->second;
	}
	uint64_t num(const std::string &k, uint64_t def = 0) const
	{
		auto it = kv.find(k);
		return it == kv.end() ? def : strtoull(it->second.c_str(), nullptr, 0);
	}
	bool has(const std::string &k) const { return kv.count(k) != 0; }
};

double secs(Clock::time_point a, Clock::time_point b = Clock::now())
{
	return std::chrono::duration<double>(b - a).count();
}

int fail(const std::string &what)
{
	printf("FAIL: %s\n", what.c_str());
	fflush(stdout);
	return 1;
}

int fail(const Error &e) { return fail(e.message); }

// Gntdev mappings of this process (a leak check after unmapping).
int gntdev_mappings()
{
	std::ifstream f("/proc/self/maps");
	std::string l;
	int n = 0;
	while (std::getline(f, l))
		if (l.find("/dev/xen/gntdev") != std::string::npos)
			n++;
	return n;
}

Result<std::string> wait_node(Store &s, const std::string &path, std::chrono::milliseconds timeout)
{
	auto deadline = Clock::now() + timeout;
	for (;;) {
		auto v = s.read(path);
		if (v.ok())
			return v;
		if (Clock::now() >= deadline)
			return v.error().context("waited " + std::to_string(timeout.count()) + " ms");
		std::this_thread::sleep_for(20ms);
	}
}

// The byte stream pattern: 64-bit words, a function of direction and offset.
inline uint64_t pat(uint64_t dir, uint64_t word)
{
	uint64_t z = word + dir * 0x9e3779b97f4a7c15ull + 1;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fill(std::vector<std::byte> &buf, uint64_t dir, uint64_t offset)
{
	auto *w = reinterpret_cast<uint64_t *>(buf.data());
	for (size_t i = 0; i < buf.size() / 8; i++)
		w[i] = pat(dir, offset / 8 + i);
}

// Returns the first bad byte offset within buf, or -1.
int64_t check(const std::vector<std::byte> &buf, uint64_t dir, uint64_t offset)
{
	auto *w = reinterpret_cast<const uint64_t *>(buf.data());
	for (size_t i = 0; i < buf.size() / 8; i++)
		if (w[i] != pat(dir, offset / 8 + i))
			return static_cast<int64_t>(i * 8);
	return -1;
}

// ------------------------------------------------------------------- grants

constexpr uint32_t kMagic = 0x54474842;  // "BHGT"
constexpr uint32_t kAck = 0x214b4341;    // "ACK!"
constexpr size_t kRefsPerNode = 150;     // 150 * 11 chars < Store::kMaxValue

struct PageHeader {
	uint32_t magic, index, npages, pad;
	volatile uint64_t counter;
};

uint8_t page_byte(size_t page, size_t off) { return static_cast<uint8_t>(page * 131 + off * 7); }

int grant_share(const Args &a)
{
	DomainId peer = static_cast<DomainId>(a.num("peer"));
	size_t pages = a.num("pages", 1);
	std::string key = a.get("key", "grant");
	bool ro = a.has("ro");
	auto store = open_own_store();
	if (!store)
		return fail(store.error());
	auto sharer = open_grant_sharer();
	if (!sharer)
		return fail(sharer.error());
	auto t0 = Clock::now();
	auto shared = (*sharer)->share(peer, pages, !ro);
	if (!shared)
		return fail(shared.error());
	double share_s = secs(t0);
	auto bytes = shared->bytes();
	for (size_t i = 0; i < pages; i++) {
		std::byte *p = bytes.data() + i * kPageSize;
		auto *h = reinterpret_cast<PageHeader *>(p);
		h->magic = kMagic;
		h->index = static_cast<uint32_t>(i);
		h->npages = static_cast<uint32_t>(pages);
		for (size_t o = sizeof(PageHeader); o < 2048; o++)
			p[o] = static_cast<std::byte>(page_byte(i, o));
	}
	const GrantRefs &refs = shared->refs();
	size_t chunks = (refs.size() + kRefsPerNode - 1) / kRefsPerNode;
	for (size_t c = 0; c < chunks; c++) {
		auto r = (*store)->write("data/" + key + "/refs/" + std::to_string(c),
					 refs.encode(c * kRefsPerNode, kRefsPerNode));
		if (!r)
			return fail(r.error());
	}
	const std::pair<std::string, std::string> meta[] = {
		{"pages", std::to_string(pages)},
		{"chunks", std::to_string(chunks)},
		{"ro", ro ? "1" : "0"},
		{"ready", "1"}};
	for (const auto &[k, v] : meta) {
		auto r = (*store)->write("data/" + key + "/" + k, v);
		if (!r)
			return fail(r.error());
	}
	printf("shared %zu page(s) with dom%u in %.3f s (%.1f us/page), refs %u..., waiting for dom%u\n",
	       pages, peer, share_s, share_s * 1e6 / pages, refs[0].value, peer);
	fflush(stdout);

	// Keep writing (the peer checks it sees the counter move) until the
	// peer says it wrote its acknowledgements.
	auto *h0 = reinterpret_cast<PageHeader *>(bytes.data());
	auto deadline = Clock::now() + std::chrono::seconds(a.num("timeout", 300));
	int polls = 0;
	for (;;) {
		h0->counter = h0->counter + 1;
		if (++polls % 64 == 0) {
			if ((*store)->read("data/" + key + "/acked").ok())
				break;
			if (Clock::now() > deadline)
				return fail("peer never acknowledged");
		}
		std::this_thread::sleep_for(1ms);
	}
	size_t acks = 0;
	for (size_t i = 0; i < pages; i++) {
		auto *w = reinterpret_cast<uint32_t *>(bytes.data() + i * kPageSize + 2048);
		if (w[0] == kAck && w[1] == i)
			acks++;
	}
	bool good = ro ? acks == 0 : acks == pages;
	printf("%zu of %zu page(s) carry dom%u's acknowledgement (%s expected)\n", acks, pages, peer,
	       ro ? "none" : "all");
	(void)(*store)->write("data/" + key + "/result", good ? "PASS" : "FAIL");
	// Unshare only after the peer unmapped (a revoked grant still mapped by
	// the peer would be released by gntalloc later anyway).
	auto done = wait_node(**store, "data/" + key + "/unmapped", 300s);
	if (!done)
		return fail(done.error());
	shared = Result<SharedPages>(SharedPages());
	printf("unshared; sharer now holds %zu page(s)\n", (*sharer)->shared_pages());
	return good && (*sharer)->shared_pages() == 0 ? 0 : 1;
}

Result<GrantRefs> read_refs(Store &s, const std::string &key, size_t max_pages)
{
	TRY_ASSIGN(std::string pages_s, s.read("data/" + key + "/pages"));
	TRY_ASSIGN(std::string chunks_s, s.read("data/" + key + "/chunks"));
	size_t pages = strtoul(pages_s.c_str(), nullptr, 10);
	size_t chunks = strtoul(chunks_s.c_str(), nullptr, 10);
	if (pages == 0 || pages > max_pages || chunks != (pages + kRefsPerNode - 1) / kRefsPerNode)
		return err("refs of " + key + ": bad page/chunk count " + pages_s + "/" + chunks_s);
	GrantRefs all;
	for (size_t c = 0; c < chunks; c++) {
		TRY_ASSIGN(std::string text, s.read("data/" + key + "/refs/" + std::to_string(c)));
		TRY_ASSIGN(GrantRefs part, GrantRefs::parse(text, kRefsPerNode));
		all.append(part);
	}
	if (all.size() != pages)
		return err("refs of " + key + ": " + std::to_string(all.size()) + " refs for " +
			   std::to_string(pages) + " pages");
	return all;
}

int grant_map(const Args &a)
{
	DomainId dom = static_cast<DomainId>(a.num("domid"));
	std::string key = a.get("key", "grant");
	auto store = open_store(dom);
	if (!store)
		return fail(store.error());
	auto ready = wait_node(**store, "data/" + key + "/ready", 300s);
	if (!ready)
		return fail(ready.error());
	auto refs = read_refs(**store, key, 65536);
	if (!refs)
		return fail(refs.error());
	bool ro = (*store)->read("data/" + key + "/ro").value() == "1";
	size_t pages = refs->size();
	auto mapper = open_grant_mapper();
	if (!mapper)
		return fail(mapper.error());
	int before = gntdev_mappings();
	bool good = true;
	if (ro) {
		auto w = (*mapper)->map(dom, *refs, true);
		if (w) {
			printf("FAIL: read-only grant mapped writable\n");
			good = false;
		} else {
			printf("writable map of a read-only grant refused: %s\n", w.error().message.c_str());
		}
	}
	auto t0 = Clock::now();
	auto m = (*mapper)->map(dom, *refs, !ro);
	if (!m)
		return fail(m.error());
	double map_s = secs(t0);
	const std::byte *p = static_cast<const std::byte *>(m->data());
	size_t bad = 0;
	for (size_t i = 0; i < pages; i++) {
		auto *h = reinterpret_cast<const PageHeader *>(p + i * kPageSize);
		if (h->magic != kMagic || h->index != i || h->npages != pages) {
			bad++;
			continue;
		}
		for (size_t o = sizeof(PageHeader); o < 2048; o++)
			if (static_cast<uint8_t>(p[i * kPageSize + o]) != page_byte(i, o)) {
				bad++;
				break;
			}
	}
	// Live: the guest keeps incrementing page 0's counter. Poll rather than
	// sleep a fixed time: under host load the guest may not run for a while.
	auto *h0 = reinterpret_cast<const PageHeader *>(p);
	uint64_t c1 = h0->counter, c2 = c1;
	for (auto until = Clock::now() + 30s; c2 == c1 && Clock::now() < until;) {
		std::this_thread::sleep_for(10ms);
		c2 = h0->counter;
	}
	printf("mapped %zu page(s) of dom%u %s in %.3f s (%.1f us/page); %zu bad page(s); "
	       "guest counter %" PRIu64 " -> %" PRIu64 " (%s)\n",
	       pages, dom, ro ? "ro" : "rw", map_s, map_s * 1e6 / pages, bad, c1, c2,
	       c2 > c1 ? "live" : "NOT LIVE");
	good = good && bad == 0 && c2 > c1;
	if (!ro) {
		for (size_t i = 0; i < pages; i++) {
			auto *w = reinterpret_cast<uint32_t *>(static_cast<std::byte *>(m->data()) +
							       i * kPageSize + 2048);
			w[0] = kAck;
			w[1] = static_cast<uint32_t>(i);
		}
	}
	(void)(*store)->write("data/" + key + "/acked", "1");
	auto result = wait_node(**store, "data/" + key + "/result", 300s);
	if (!result)
		return fail(result.error());
	printf("guest's verdict on our write-back: %s\n", result.value().c_str());
	good = good && result.value() == "PASS";
	t0 = Clock::now();
	m->reset();
	double unmap_s = secs(t0);
	int after = gntdev_mappings();
	printf("unmapped in %.3f s (%.1f us/page); gntdev mappings before %d, after %d\n", unmap_s,
	       unmap_s * 1e6 / pages, before, after);
	good = good && after == before;
	(void)(*store)->write("data/" + key + "/unmapped", "1");
	return good ? 0 : 1;
}

int grant_over_limit(const Args &a)
{
	DomainId peer = static_cast<DomainId>(a.num("peer"));
	size_t pages = a.num("pages");
	size_t cap = a.num("cap", 0);
	auto sharer = open_grant_sharer(cap);
	if (!sharer)
		return fail(sharer.error());
	auto t0 = Clock::now();
	auto s = (*sharer)->share(peer, pages, true);
	if (s) {
		printf("FAIL: sharing %zu pages succeeded (cap %zu)\n", pages, cap);
		return 1;
	}
	printf("sharing %zu pages refused in %.3f s: %s\n", pages, secs(t0), s.error().message.c_str());
	if ((*sharer)->shared_pages() != 0)
		return fail("pages left shared after the refusal");
	// Nothing leaked: a small share still works and releases.
	auto one = (*sharer)->share(peer, 1, true);
	if (!one)
		return fail(one.error().context("after the refusal, sharing 1 page"));
	printf("after the refusal, 1 page shares fine (ref %u)\n", one->refs()[0].value);
	return 0;
}

// ------------------------------------------------------------------ channels

struct Transfer {
	uint64_t total;     // bytes each way (UINT64_MAX: forever)
	size_t msg;         // payload bytes per message (multiple of 8)
	uint64_t send_dir;  // pattern direction of what we send
	uint64_t kill_after = 0;
	std::string kill_cmd;
};

constexpr uint32_t kTypeData = 1;
constexpr uint32_t kTypeEnd = 2;

// Full duplex: send `total` bytes and receive `total` bytes, checking each.
Result<void> duplex(MessageChannel &ch, const Transfer &t, bool quiet = false)
{
	uint64_t sent = 0, got = 0;
	uint64_t recv_dir = 1 - t.send_dir;
	std::vector<std::byte> out(t.msg);
	bool out_ready = false, killed = false, end_sent = false, end_got = false;
	auto t0 = Clock::now();
	while (!(end_sent && end_got && !ch.has_pending())) {
		bool progress = false;
		if (sent < t.total) {
			size_t n = static_cast<size_t>(std::min<uint64_t>(t.msg, t.total - sent));
			if (!out_ready) {
				out.resize(n);
				fill(out, t.send_dir, sent);
				out_ready = true;
			}
			TRY_ASSIGN(bool q, ch.try_send(kTypeData, out));
			if (q) {
				sent += n;
				out_ready = false;
				progress = true;
			}
		} else if (!end_sent) {
			TRY_ASSIGN(bool q, ch.try_send(kTypeEnd, {}));
			end_sent = q;
			progress = q;
		}
		TRY(ch.flush());
		for (int i = 0; i < 16; i++) {
			TRY_ASSIGN(auto m, ch.receive());
			if (!m)
				break;
			progress = true;
			if (m->type == kTypeEnd) {
				if (got != t.total)
					return err("peer ended after " + std::to_string(got) + " bytes");
				end_got = true;
				continue;
			}
			if (m->type != kTypeData || m->payload.size() % 8)
				return err("unexpected message type " + std::to_string(m->type));
			if (t.total != UINT64_MAX) {
				int64_t bad = check(m->payload, recv_dir, got);
				if (bad >= 0)
					return err("data mismatch at byte " + std::to_string(got + bad));
			}
			got += m->payload.size();
		}
		if (!killed && t.kill_after && got >= t.kill_after) {
			printf("received %" PRIu64 " bytes, running: %s\n", got, t.kill_cmd.c_str());
			fflush(stdout);
			killed = true;
			if (system(t.kill_cmd.c_str()) != 0)
				return err("kill command failed");
		}
		if (!progress) {
			TRY_ASSIGN(bool woke, ch.wait(std::chrono::milliseconds(1000)));
			if (!woke)
				fprintf(stderr, "duplex: stalled 1 s: sent %" PRIu64 " got %" PRIu64
					" queued %zu end_sent %d end_got %d\n",
					sent, got, ch.pending_bytes(), end_sent, end_got);
		}
	}
	double s = secs(t0);
	if (!quiet)
		printf("duplex: sent %" PRIu64 " and received %" PRIu64
		       " bytes, every byte checked, in %.3f s (%.1f MB/s each way)\n",
		       sent, got, s, static_cast<double>(got) / s / 1e6);
	return ok();
}

ChannelLimits limits_of(const Args &a) { return {.max_message = static_cast<uint32_t>(a.num("max", 65536))}; }

int chan_serve(const Args &a)
{
	DomainId peer = static_cast<DomainId>(a.num("peer"));
	std::string path = a.get("path", "data/chan");
	VchanOptions o;
	o.watch_peer_death = false; // a guest cannot watch dom0's death; dom0 is its world
	auto ch = message_channel_listen(peer, path, limits_of(a), o);
	if (!ch)
		return fail(ch.error());
	printf("listening at %s for dom%u\n", path.c_str(), peer);
	fflush(stdout);
	Transfer t{a.has("forever") ? UINT64_MAX : a.num("bytes", 1 << 20), a.num("msg", 65536), 0};
	auto r = duplex(*ch, t);
	if (!r)
		return fail(r.error());
	// The client closes first (it has our END); wait for that so that we do
	// not unshare rings it still reads.
	auto end = ch->receive_wait(10s);
	printf("peer closed: %s\n", end ? "no (unexpected message)" : end.error().message.c_str());
	return 0;
}

int chan_connect(const Args &a)
{
	DomainId dom = static_cast<DomainId>(a.num("domid"));
	std::string path = a.get("path");
	int before = gntdev_mappings();
	int rc;
	{
		auto ch = message_channel_connect(dom, path, limits_of(a));
		if (!ch)
			return fail(ch.error());
		printf("connected to %s of dom%u (%d gntdev mapping(s))\n", path.c_str(), dom,
		       gntdev_mappings());
		fflush(stdout);
		Transfer t{a.has("kill-after") ? UINT64_MAX : a.num("bytes", 1 << 20), a.num("msg", 65536),
			   1, a.num("kill-after"), a.get("kill-cmd")};
		auto t0 = Clock::now();
		auto r = duplex(*ch, t);
		if (a.has("kill-after")) {
			if (r)
				return fail("transfer ended without error although the peer was destroyed");
			printf("error after the peer's destruction, %.3f s after the start: %s\n", secs(t0),
			       r.error().message.c_str());
			rc = 0;
		} else {
			rc = r ? 0 : fail(r.error());
		}
	}
	int after = gntdev_mappings();
	printf("channel closed; gntdev mappings before %d, after %d\n", before, after);
	return after == before ? rc : 1;
}

// ------------------------------------------------------------------- attacks

int attack_xenstore(const Args &a)
{
	DomainId victim = static_cast<DomainId>(a.num("victim"));
	auto s = open_store(victim);
	if (!s)
		return fail(s.error());
	std::string path = a.get("key", "data");
	auto r = (*s)->read(path);
	if (r) {
		printf("FAIL: read dom%u's %s: '%s'\n", victim, path.c_str(), r.value().c_str());
		return 1;
	}
	printf("refused as expected: %s\n", r.error().message.c_str());
	auto w = (*s)->write(path + "/x", "evil");
	if (w) {
		printf("FAIL: wrote into dom%u's %s\n", victim, path.c_str());
		return 1;
	}
	printf("refused as expected: %s\n", w.error().message.c_str());
	return 0;
}

int attack_vchan(const Args &a)
{
	DomainId victim = static_cast<DomainId>(a.num("victim"));
	VchanOptions o;
	o.connect_timeout = 2000ms;
	o.watch_peer_death = false;
	auto ch = message_channel_connect(victim, a.get("path"), {}, o);
	if (ch) {
		printf("FAIL: connected to dom%u's channel %s\n", victim, a.get("path").c_str());
		return 1;
	}
	printf("refused as expected: %s\n", ch.error().message.c_str());
	return 0;
}

int attack_grants(const Args &a)
{
	DomainId victim = static_cast<DomainId>(a.num("victim"));
	auto own = open_own_store();
	if (!own)
		return fail(own.error());
	auto text = wait_node(**own, a.get("refs-key"), 300s);
	if (!text)
		return fail(text.error());
	auto refs = GrantRefs::parse(*text, 64);
	if (!refs)
		return fail(refs.error());
	auto mapper = open_grant_mapper();
	if (!mapper)
		return fail(mapper.error());
	for (bool w : {false, true}) {
		auto m = (*mapper)->map(victim, *refs, w);
		if (m) {
			printf("FAIL: mapped dom%u's refs %s\n", victim, text->c_str());
			return 1;
		}
		printf("refused as expected: %s\n", m.error().message.c_str());
	}
	return 0;
}

// -------------------------------------------------------------------- bench

struct RawVchan {
	libxenvchan *c = nullptr;
	~RawVchan()
	{
		if (c)
			libxenvchan_close(c);
	}
};

// raw libxenvchan: blocking, as its users write it.
int bench_raw(const Args &a, bool server)
{
	DomainId peer = static_cast<DomainId>(a.num(server ? "peer" : "domid"));
	std::string path = a.get("path");
	uint64_t total = a.num("bytes", 64 << 20);
	size_t msg = a.num("msg", 65536);
	int rounds = static_cast<int>(a.num("rounds", 2000));
	RawVchan v;
	if (server) {
		v.c = libxenvchan_server_init(nullptr, peer, path.c_str(), 65536, 65536);
	} else {
		auto deadline = Clock::now() + 10s;
		while (!v.c && Clock::now() < deadline) {
			v.c = libxenvchan_client_init(nullptr, peer, path.c_str());
			if (!v.c)
				std::this_thread::sleep_for(20ms);
		}
	}
	if (!v.c)
		return fail("raw vchan init: " + std::string(strerror(errno)));
	v.c->blocking = 1;
	std::vector<std::byte> buf(msg);
	// Throughput: server -> client, every byte checked on the client.
	auto t0 = Clock::now();
	uint64_t done = 0;
	while (done < total) {
		size_t n = static_cast<size_t>(std::min<uint64_t>(msg, total - done));
		buf.resize(n);
		if (server) {
			fill(buf, 0, done);
			if (libxenvchan_send(v.c, buf.data(), n) != static_cast<int>(n))
				return fail("raw send");
		} else {
			if (libxenvchan_recv(v.c, buf.data(), n) != static_cast<int>(n))
				return fail("raw recv");
			if (check(buf, 0, done) >= 0)
				return fail("raw data mismatch");
		}
		done += n;
	}
	double tp = secs(t0);
	// Round trips: client sends 64 bytes, server echoes.
	char small[64] = {};
	t0 = Clock::now();
	for (int i = 0; i < rounds; i++) {
		if (server) {
			if (libxenvchan_recv(v.c, small, sizeof small) != sizeof small ||
			    libxenvchan_send(v.c, small, sizeof small) != sizeof small)
				return fail("raw echo");
		} else {
			if (libxenvchan_send(v.c, small, sizeof small) != sizeof small ||
			    libxenvchan_recv(v.c, small, sizeof small) != sizeof small)
				return fail("raw ping");
		}
	}
	double rt = secs(t0);
	if (!server) {
		printf("BENCH raw  throughput %.1f MB/s (%" PRIu64 " bytes in %.3f s), round trip %.1f us "
		       "(%d x 64 B)\n",
		       total / tp / 1e6, total, tp, rt * 1e6 / rounds, rounds);
		printf("BENCHDATA raw %.3f %.3f\n", total / tp / 1e6, rt * 1e6 / rounds);
	}
	char end;
	if (server)
		libxenvchan_recv(v.c, &end, 1); // client's "done"
	else
		libxenvchan_send(v.c, "x", 1);
	return 0;
}

int bench_chan(const Args &a, bool server)
{
	DomainId peer = static_cast<DomainId>(a.num(server ? "peer" : "domid"));
	std::string path = a.get("path");
	uint64_t total = a.num("bytes", 64 << 20);
	size_t msg = a.num("msg", 65536);
	int rounds = static_cast<int>(a.num("rounds", 2000));
	VchanOptions o;
	o.watch_peer_death = !server && !a.has("no-death-watch");
	auto ch = server ? message_channel_listen(peer, path, limits_of(a), o)
			 : message_channel_connect(peer, path, limits_of(a), o);
	if (!ch)
		return fail(ch.error());
	std::vector<std::byte> buf(msg);
	auto t0 = Clock::now();
	uint64_t done = 0;
	while (done < total) {
		size_t n = static_cast<size_t>(std::min<uint64_t>(msg, total - done));
		if (server) {
			buf.resize(n);
			fill(buf, 0, done);
			auto r = ch->send(kTypeData, buf, -1ms);
			if (!r)
				return fail(r.error());
		} else {
			auto m = ch->receive_wait(-1ms);
			if (!m)
				return fail(m.error());
			if (m->payload.size() != n || check(m->payload, 0, done) >= 0)
				return fail("chan data mismatch");
		}
		done += n;
	}
	if (server) {
		auto r = ch->drain(-1ms);
		if (!r)
			return fail(r.error());
	}
	double tp = secs(t0);
	std::vector<std::byte> small(64);
	t0 = Clock::now();
	for (int i = 0; i < rounds; i++) {
		if (server) {
			auto m = ch->receive_wait(-1ms);
			if (!m)
				return fail(m.error());
			auto r = ch->send(kTypeData, m->payload, -1ms);
			if (!r)
				return fail(r.error());
		} else {
			auto r = ch->send(kTypeData, small, -1ms);
			if (!r)
				return fail(r.error());
			auto m = ch->receive_wait(-1ms);
			if (!m)
				return fail(m.error());
		}
	}
	double rt = secs(t0);
	if (!server) {
		printf("BENCH chan throughput %.1f MB/s (%" PRIu64 " bytes in %.3f s), round trip %.1f us "
		       "(%d x 64 B)\n",
		       total / tp / 1e6, total, tp, rt * 1e6 / rounds, rounds);
		printf("BENCHDATA %s %.3f %.3f\n", o.watch_peer_death ? "chan" : "chan-nowatch",
		       total / tp / 1e6, rt * 1e6 / rounds);
	}
	if (server)
		(void)ch->receive_wait(-1ms);
	else
		(void)ch->send(kTypeEnd, {}, -1ms), (void)ch->drain(-1ms);
	return 0;
}

int bench_grant_share(const Args &a)
{
	Args b = a;
	return grant_share(b);
}

int bench_grant_map(const Args &a)
{
	DomainId dom = static_cast<DomainId>(a.num("domid"));
	std::string key = a.get("key", "bench");
	int rounds = static_cast<int>(a.num("rounds", 20));
	auto store = open_store(dom);
	if (!store)
		return fail(store.error());
	auto ready = wait_node(**store, "data/" + key + "/ready", 300s);
	if (!ready)
		return fail(ready.error());
	auto refs = read_refs(**store, key, 65536);
	if (!refs)
		return fail(refs.error());
	auto mapper = open_grant_mapper();
	if (!mapper)
		return fail(mapper.error());
	double map_s = 0, unmap_s = 0;
	for (int i = 0; i < rounds; i++) {
		auto t0 = Clock::now();
		auto m = (*mapper)->map(dom, *refs, true);
		if (!m)
			return fail(m.error());
		map_s += secs(t0);
		volatile uint32_t magic = reinterpret_cast<const PageHeader *>(m->data())->magic;
		(void)magic;
		t0 = Clock::now();
		m->reset();
		unmap_s += secs(t0);
	}
	size_t n = refs->size() * rounds;
	printf("BENCH grant map %.2f us/page, unmap %.2f us/page (%zu pages x %d rounds)\n",
	       map_s * 1e6 / n, unmap_s * 1e6 / n, refs->size(), rounds);
	// Let grant_share finish.
	auto m = (*mapper)->map(dom, *refs, true);
	if (!m)
		return fail(m.error());
	for (size_t i = 0; i < refs->size(); i++) {
		auto *w = reinterpret_cast<uint32_t *>(static_cast<std::byte *>(m->data()) + i * kPageSize + 2048);
		w[0] = kAck;
		w[1] = static_cast<uint32_t>(i);
	}
	(void)(*store)->write("data/" + key + "/acked", "1");
	(void)wait_node(**store, "data/" + key + "/result", 300s);
	m->reset();
	(void)(*store)->write("data/" + key + "/unmapped", "1");
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	setvbuf(stdout, nullptr, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: %s SUBCOMMAND [--key value]... (see the source)\n", argv[0]);
		return 2;
	}
	std::string cmd = argv[1];
	Args a;
	for (int i = 2; i < argc; i++) {
		std::string k = argv[i];
		if (k.rfind("--", 0) != 0) {
			fprintf(stderr, "bad argument %s\n", k.c_str());
			return 2;
		}
		k = k.substr(2);
		std::string v = "1";
		if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0)
			v = argv[++i];
		a.kv.insert_or_assign(k, std::move(v));
	}
	static const std::map<std::string, std::function<int(const Args &)>> cmds = {
		{"grant-share", grant_share},
		{"grant-map", grant_map},
		{"grant-over-limit", grant_over_limit},
		{"chan-serve", chan_serve},
		{"chan-connect", chan_connect},
		{"attack-xenstore", attack_xenstore},
		{"attack-vchan", attack_vchan},
		{"attack-grants", attack_grants},
		{"bench-serve", [](const Args &x) { return x.get("mode") == "raw" ? bench_raw(x, true) : bench_chan(x, true); }},
		{"bench-connect", [](const Args &x) { return x.get("mode") == "raw" ? bench_raw(x, false) : bench_chan(x, false); }},
		{"bench-grant-share", bench_grant_share},
		{"bench-grant-map", bench_grant_map},
	};
	auto it = cmds.find(cmd);
	if (it == cmds.end()) {
		fprintf(stderr, "unknown subcommand %s\n", cmd.c_str());
		return 2;
	}
	return it->second(a);
}
