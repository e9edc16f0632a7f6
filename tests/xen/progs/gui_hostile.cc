// SPDX-License-Identifier: GPL-2.0-only
// bulkhead-gui-hostile: a hostile GUI agent for the Xen tier's desktop
// scenario. It runs in an AppVM, shares the GUI vchan exactly where
// bulkhead-agent would (data/bulkhead-gui), and speaks the GUI protocol
// (userspace/gui/protocol) wrongly on purpose, one conversation per case:
//
//   bulkhead-gui-hostile CASE...
//
// For each case it listens, writes "N CASE" to data/hostile/ready (dom0
// starts a bulkhead-guid for it then), says hello and waits for welcome
// (except no-hello), sends the case's messages, then waits until dom0 closes
// the connection and prints how it ended. Cases (Documentation/desktop.rst):
//
//   paint        (kept) a 100x80 window over a 240x160 white gntfb buffer,
//                damaged whole: guid must clip to the content, the frame
//                stays the label colour; a title with C0 controls, DEL and
//                bidi overrides (shown sanitized); a screen-sized
//                override-redirect window (clamped to 3/4 of the screen)
//   oversize     a channel frame of 70000 bytes (limit 65556)
//   truncated    a GUI message of 10 bytes (header is 16)
//   lying-length a title whose header claims 100 bytes, carrying 4
//   unknown-type message type 0x7f
//   frame-type   a well-formed GUI message in a channel frame of another type
//   no-hello     create before hello
//   out-of-order sequence number 3 after 1
//   forged-window map of a window never created
//   huge-window  create 16385x100
//   flood        513 windows (limit 512)
//   bad-utf8     a title with an overlong encoding
//   forged-ref   a buffer whose directory ref this domain never granted
//   replay-frame damage frame 2, then frame 1 again
//   rect-outside damage outside the buffer
//   clip-chunk   clipboard bytes (transfer 5) dom0 never asked for
//   clip-reply   a clipboard answer to request 9, never made
//   paste-result a report on paste 77, never sent
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <drm.h>
#include <drm_mode.h>

#include "bulkhead/gui/protocol.h"
#include "bulkhead/xen/message_channel.h"
#include "bulkhead/xen/vchan.h"
#include "bulkhead/xen/xenstore.h"
#include "kernel/gntfb/uapi/gntfb.h"

using namespace bulkhead;
using namespace bulkhead::gui;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t kGuiFrameType = 0x47554931; // "GUI1", as vchan_channel.h
constexpr uint32_t kWidth = 240, kHeight = 160;

struct GntBuf {
	uint32_t dir_ref = 0, stride = 0;
};

// A real gntfb buffer of this domain, white, granted to dom0.
Result<GntBuf> white_buffer()
{
	int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return Error::from_errno("/dev/dri/card0", errno);
	drm_gntfb_create c{};
	c.width = kWidth;
	c.height = kHeight;
	c.bpp = 32;
	if (ioctl(fd, DRM_IOCTL_GNTFB_CREATE, &c))
		return Error::from_errno("DRM_IOCTL_GNTFB_CREATE", errno);
	drm_mode_map_dumb md{};
	md.handle = c.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &md))
		return Error::from_errno("DRM_IOCTL_MODE_MAP_DUMB", errno);
	void *p = mmap(nullptr, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(md.offset));
	if (p == MAP_FAILED)
		return Error::from_errno("mmap", errno);
	memset(p, 0xff, c.size);
	munmap(p, c.size);
	// The fd (and the buffer) stay open until we exit.
	return GntBuf{c.dir_ref, c.pitch};
}

class Conversation {
public:
	explicit Conversation(xen::MessageChannel ch) : ch_(std::move(ch)) {}

	Result<void> raw(uint32_t frame_type, const std::vector<uint8_t> &bytes)
	{
		return ch_.send(frame_type, std::as_bytes(std::span(bytes)), 30s);
	}
	Result<void> msg(uint32_t window, const GuestBody &b) { return raw(kGuiFrameType, encode(window, seq_++, b)); }
	uint32_t next_seq() { return seq_++; }

	Result<void> hello()
	{
		TRY(msg(0, Hello{kVersionMajor, kVersionMinor, 1024, 768}));
		TRY_ASSIGN(auto m, ch_.receive_wait(900s));
		auto *p = reinterpret_cast<const uint8_t *>(m.payload.data());
		auto d = decode_dom0(std::span(p, m.payload.size()));
		if (!d.ok() || !std::holds_alternative<Welcome>(d->body))
			return err("no welcome from guid");
		return ok();
	}

	// Reads (and ignores) what dom0 sends until it closes the channel.
	std::string wait_closed()
	{
		for (;;) {
			auto m = ch_.receive_wait(300s);
			if (!m.ok())
				return m.error().message;
		}
	}

private:
	xen::MessageChannel ch_;
	uint32_t seq_ = 1;
};

std::vector<uint8_t> header(uint32_t type, uint32_t length, uint32_t window, uint32_t seq)
{
	std::vector<uint8_t> b(16);
	uint32_t v[4] = {type, length, window, seq};
	memcpy(b.data(), v, 16); // x86: little-endian, as the wire
	return b;
}

Result<void> run_case(Conversation &c, const std::string &name, const GntBuf &buf)
{
	const uint32_t w = 0x400001;
	if (name == "no-hello")
		return c.msg(w, Create{10, 10, 50, 50, 0, false});
	TRY(c.hello());
	if (name == "paint") {
		TRY(c.msg(w, Create{820, 620, 100, 80, 0, false}));
		TRY(c.msg(w, Title{"evil\x01\x1b[31m\u202etxt\u2066x\x7f"}));
		TRY(c.msg(w, Map{0, false}));
		TRY(c.msg(w, Buffer{1, kWidth, kHeight, buf.stride, kFormatXRGB8888, buf.dir_ref}));
		TRY(c.msg(w, Damage{1, 1, 1, {Rect{0, 0, kWidth, kHeight}}}));
		const uint32_t o = 0x400002;
		TRY(c.msg(o, Create{0, 0, 1024, 768, 0, true}));
		TRY(c.msg(o, Title{"or"}));
		return c.msg(o, Map{0, true});
	}
	if (name == "oversize") {
		std::vector<uint8_t> b = header(uint32_t(MsgType::kTitle), 70000 - 16, w, c.next_seq());
		b.resize(70000, 'A');
		return c.raw(kGuiFrameType, b);
	}
	if (name == "truncated")
		return c.raw(kGuiFrameType, std::vector<uint8_t>(10, 1));
	if (name == "lying-length") {
		TRY(c.msg(w, Create{10, 10, 50, 50, 0, false}));
		std::vector<uint8_t> b = header(uint32_t(MsgType::kTitle), 100, w, c.next_seq());
		b.insert(b.end(), {'a', 'b', 'c', 'd'});
		return c.raw(kGuiFrameType, b);
	}
	if (name == "unknown-type")
		return c.raw(kGuiFrameType, header(0x7f, 0, w, c.next_seq()));
	if (name == "frame-type")
		return c.raw(0x1234, encode(w, c.next_seq(), Create{10, 10, 50, 50, 0, false}));
	if (name == "out-of-order") {
		c.next_seq();
		return c.msg(w, Create{10, 10, 50, 50, 0, false});
	}
	if (name == "forged-window")
		return c.msg(0x1234, Map{0, false});
	if (name == "huge-window") {
		// encode() would write it; the receiver must refuse it
		std::vector<uint8_t> b = encode(w, c.next_seq(), Create{10, 10, 100, 100, 0, false});
		uint32_t big = kMaxWidth + 1;
		memcpy(b.data() + 16 + 8, &big, 4);
		return c.raw(kGuiFrameType, b);
	}
	if (name == "flood") {
		for (uint32_t i = 0; i <= kMaxWindows; i++)
			TRY(c.msg(w + i, Create{int32_t(i % 900), int32_t(i % 700), 20, 20, 0, false}));
		return ok();
	}
	if (name == "bad-utf8") {
		TRY(c.msg(w, Create{10, 10, 50, 50, 0, false}));
		std::vector<uint8_t> b = encode(w, c.next_seq(), Title{"ab"});
		b[16] = 0xc0;
		b[17] = 0xaf; // overlong '/'
		return c.raw(kGuiFrameType, b);
	}
	if (name == "forged-ref" || name == "replay-frame" || name == "rect-outside") {
		TRY(c.msg(w, Create{500, 100, kWidth, kHeight, 0, false}));
		TRY(c.msg(w, Map{0, false}));
		uint32_t ref = name == "forged-ref" ? buf.dir_ref + 3000 : buf.dir_ref;
		TRY(c.msg(w, Buffer{1, kWidth, kHeight, buf.stride, kFormatXRGB8888, ref}));
		if (name == "forged-ref")
			return ok();
		if (name == "rect-outside")
			return c.msg(w, Damage{1, 1, 1, {Rect{200, 100, 100, 100}}});
		TRY(c.msg(w, Damage{1, 2, 1, {Rect{0, 0, 10, 10}}}));
		return c.msg(w, Damage{1, 1, 2, {Rect{0, 0, 10, 10}}});
	}
	if (name == "clip-chunk")
		return c.msg(0, ClipboardChunk{5, "unasked"});
	if (name == "clip-reply")
		return c.msg(0, ClipboardReply{9, ClipStatus::kData, kClipText, 10});
	if (name == "paste-result")
		return c.msg(0, PasteResult{77, PasteStatus::kPasted});
	return err("unknown case " + name);
}

Result<void> run(int argc, char **argv)
{
	TRY_ASSIGN(auto store, xen::open_own_store());
	TRY_ASSIGN(GntBuf buf, white_buffer());
	printf("hostile: white %ux%u buffer, directory ref %u, stride %u\n", kWidth, kHeight,
	       buf.dir_ref, buf.stride);
	for (int i = 1; i < argc; i++) {
		std::string name = argv[i];
		xen::ChannelLimits l;
		l.max_message = 1u << 20; // ours may be larger than guid's: "oversize"
		l.max_queued = 8u << 20;
		xen::VchanOptions o;
		o.watch_peer_death = false;
		TRY_ASSIGN(auto ch, xen::message_channel_listen(0, "data/bulkhead-gui", l, o));
		Conversation c(std::move(ch));
		TRY(store->write("data/hostile/ready", std::to_string(i) + " " + name));
		auto r = run_case(c, name, buf);
		std::string how = c.wait_closed();
		printf("hostile: case %d %s: %s; dom0 closed: %s\n", i, name.c_str(),
		       r.ok() ? "sent" : r.error().message.c_str(), how.c_str());
		fflush(stdout);
		// Only the kept case must get everything through; the others may
		// well be cut off while sending (that is the point).
		if (!r.ok() && name == "paint")
			return r.error().context(name);
	}
	return store->write("data/hostile/ready", "done");
}

} // namespace

int main(int argc, char **argv)
{
	auto r = run(argc, argv);
	if (!r.ok()) {
		fprintf(stderr, "bulkhead-gui-hostile: %s\n", r.error().message.c_str());
		return 1;
	}
	return 0;
}
