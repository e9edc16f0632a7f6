// SPDX-License-Identifier: GPL-2.0-only
// GUI protocol codec: stateless decoding and validation, and encoding.
#include "bulkhead/gui/protocol.h"

#include <cstring>
#include <type_traits>

namespace bulkhead::gui {
namespace {

// Payload sizes. Fixed-size types have min == max.
struct Bounds {
	uint32_t min, max;
};

Bounds payload_bounds(uint32_t type)
{
	switch (static_cast<MsgType>(type)) {
	case MsgType::kHello:
		return {16, 16};
	case MsgType::kCreate:
		return {24, 24};
	case MsgType::kMap:
		return {8, 8};
	case MsgType::kUnmap:
	case MsgType::kDestroy:
	case MsgType::kCloseRequest:
		return {0, 0};
	case MsgType::kClipboardRequest:
	case MsgType::kPasteResult:
		return {8, 8};
	case MsgType::kClipboardReply:
	case MsgType::kClipboardPaste:
		return {16, 16};
	case MsgType::kClipboardChunk:
	case MsgType::kPasteChunk:
		return {4 + 1, 4 + kMaxClipboardChunk};
	case MsgType::kConfigure:
		return {20, 20};
	case MsgType::kTitle:
		return {0, kMaxTitleBytes};
	case MsgType::kClass:
		return {4, 4 + 2 * kMaxClassBytes};
	case MsgType::kSizeHints:
		return {36, 36};
	case MsgType::kCursor:
	case MsgType::kRestack:
		return {4, 4};
	case MsgType::kBuffer:
		return {24, 24};
	case MsgType::kDamage:
		return {24 + 16, 24 + 16 * kMaxDamageRects};
	case MsgType::kWelcome:
		return {16, 16};
	case MsgType::kAck:
		return {40, 40};
	case MsgType::kConfigureRequest:
		return {16, 16};
	case MsgType::kFocus:
		return {4, 4};
	}
	return {0, 0};
}

bool known_type(uint32_t type)
{
	return (type >= 0x01 && type <= 0x10) || (type >= 0x81 && type <= 0x88);
}
bool is_guest_type(uint32_t type) { return type >= 0x01 && type <= 0x10; }

bool known_format(uint32_t f) { return f == kClipText || f == kClipPng; }

// Little-endian reader over a bounded span; every read is bounds-checked by
// the caller's length validation, and asserted here.
class Reader {
public:
	explicit Reader(std::span<const uint8_t> b) : b_(b) {}
	uint32_t u32()
	{
		uint32_t v = 0;
		for (int i = 3; i >= 0; i--)
			v = v << 8 | take(i);
		pos_ += 4;
		return v;
	}
	uint16_t u16()
	{
		uint16_t v = static_cast<uint16_t>(take(0) | take(1) << 8);
		pos_ += 2;
		return v;
	}
	uint64_t u64()
	{
		uint64_t lo = u32();
		uint64_t hi = u32();
		return hi << 32 | lo;
	}
	int32_t i32() { return static_cast<int32_t>(u32()); }
	std::string str(size_t n)
	{
		assert(pos_ + n <= b_.size());
		std::string s(reinterpret_cast<const char *>(b_.data() + pos_), n);
		pos_ += n;
		return s;
	}
	size_t left() const { return b_.size() - pos_; }

private:
	uint8_t take(size_t i) const
	{
		assert(pos_ + i < b_.size());
		return b_[pos_ + i];
	}
	std::span<const uint8_t> b_;
	size_t pos_ = 0;
};

class Writer {
public:
	void u32(uint32_t v)
	{
		for (int i = 0; i < 4; i++)
			out.push_back(static_cast<uint8_t>(v >> (8 * i)));
	}
	void u16(uint16_t v)
	{
		out.push_back(static_cast<uint8_t>(v));
		out.push_back(static_cast<uint8_t>(v >> 8));
	}
	void u64(uint64_t v)
	{
		u32(static_cast<uint32_t>(v));
		u32(static_cast<uint32_t>(v >> 32));
	}
	void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
	void bytes(std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }
	std::vector<uint8_t> out;
};

Error bad(const char *type, const std::string &why)
{
	return err(std::string(type) + ": " + why);
}

Result<void> check_coords(const char *t, int32_t x, int32_t y)
{
	if (x < -kMaxCoord || x > kMaxCoord || y < -kMaxCoord || y > kMaxCoord)
		return bad(t, "position " + std::to_string(x) + "," + std::to_string(y) +
				      " out of range");
	return ok();
}

Result<void> check_size(const char *t, uint32_t w, uint32_t h)
{
	if (w == 0 || h == 0 || w > kMaxWidth || h > kMaxHeight)
		return bad(t, "size " + std::to_string(w) + "x" + std::to_string(h) +
				      " out of range (1x1..16384x6144)");
	return ok();
}

Result<bool> check_flag(const char *t, uint32_t flags, uint32_t allowed)
{
	if (flags & ~allowed)
		return bad(t, "unknown flags " + std::to_string(flags));
	return (flags & 1) != 0;
}

Result<std::string> utf8_field(const char *t, Reader &r, size_t n)
{
	std::string s = r.str(n);
	if (!is_valid_utf8(s))
		return bad(t, "not valid UTF-8");
	return s;
}

Result<GuestBody> decode_guest_body(uint32_t type, uint32_t window, Reader &r)
{
	const char *t = msg_type_name(type);
	bool needs_window = type != uint32_t(MsgType::kHello) &&
			    type != uint32_t(MsgType::kClipboardReply) &&
			    type != uint32_t(MsgType::kClipboardChunk) &&
			    type != uint32_t(MsgType::kPasteResult);
	if (needs_window && window == 0)
		return bad(t, "window id 0");
	if (!needs_window && window != 0)
		return bad(t, "connection message with a window id");

	switch (static_cast<MsgType>(type)) {
	case MsgType::kHello: {
		if (r.u32() != kMagic)
			return bad(t, "bad magic");
		Hello m;
		m.major = r.u16();
		m.minor = r.u16();
		m.screen_w = r.u32();
		m.screen_h = r.u32();
		TRY(check_size(t, m.screen_w, m.screen_h));
		return GuestBody(m);
	}
	case MsgType::kCreate: {
		Create m;
		m.x = r.i32();
		m.y = r.i32();
		m.w = r.u32();
		m.h = r.u32();
		m.parent = r.u32();
		TRY(check_coords(t, m.x, m.y));
		TRY(check_size(t, m.w, m.h));
		if (m.parent == window)
			return bad(t, "window is its own parent");
		TRY_ASSIGN(m.override_redirect, check_flag(t, r.u32(), kCreateOverrideRedirect));
		return GuestBody(m);
	}
	case MsgType::kMap: {
		Map m;
		m.transient_for = r.u32();
		if (m.transient_for == window)
			return bad(t, "window transient for itself");
		TRY_ASSIGN(m.override_redirect, check_flag(t, r.u32(), kCreateOverrideRedirect));
		return GuestBody(m);
	}
	case MsgType::kUnmap:
		return GuestBody(Unmap{});
	case MsgType::kDestroy:
		return GuestBody(Destroy{});
	case MsgType::kConfigure: {
		Configure m;
		m.x = r.i32();
		m.y = r.i32();
		m.w = r.u32();
		m.h = r.u32();
		TRY(check_coords(t, m.x, m.y));
		TRY(check_size(t, m.w, m.h));
		TRY_ASSIGN(m.override_redirect, check_flag(t, r.u32(), kCreateOverrideRedirect));
		return GuestBody(m);
	}
	case MsgType::kTitle: {
		Title m;
		TRY_ASSIGN(m.utf8, utf8_field(t, r, r.left()));
		return GuestBody(m);
	}
	case MsgType::kClass: {
		uint32_t nl = r.u16(), cl = r.u16();
		if (nl > kMaxClassBytes || cl > kMaxClassBytes)
			return bad(t, "string too long");
		if (nl + cl != r.left())
			return bad(t, "string lengths do not match the payload");
		Class m;
		TRY_ASSIGN(m.res_name, utf8_field(t, r, nl));
		TRY_ASSIGN(m.res_class, utf8_field(t, r, cl));
		return GuestBody(m);
	}
	case MsgType::kSizeHints: {
		SizeHints m;
		m.flags = r.u32();
		m.min_w = r.u32();
		m.min_h = r.u32();
		m.max_w = r.u32();
		m.max_h = r.u32();
		m.inc_w = r.u32();
		m.inc_h = r.u32();
		m.base_w = r.u32();
		m.base_h = r.u32();
		if (m.flags & ~kHintAll)
			return bad(t, "unknown flags");
		for (uint32_t v : {m.min_w, m.max_w, m.inc_w, m.base_w})
			if (v > kMaxWidth)
				return bad(t, "width hint out of range");
		for (uint32_t v : {m.min_h, m.max_h, m.inc_h, m.base_h})
			if (v > kMaxHeight)
				return bad(t, "height hint out of range");
		if ((m.flags & kHintMinSize) && (m.flags & kHintMaxSize) &&
		    (m.min_w > m.max_w || m.min_h > m.max_h))
			return bad(t, "min size above max size");
		return GuestBody(m);
	}
	case MsgType::kCursor: {
		Cursor m;
		m.shape = r.u32();
		if (m.shape != kCursorDefault && (m.shape > kMaxCursorShape - 1 || m.shape % 2))
			return bad(t, "unknown cursor shape " + std::to_string(m.shape));
		return GuestBody(m);
	}
	case MsgType::kBuffer: {
		Buffer m;
		m.buffer_id = r.u32();
		m.width = r.u32();
		m.height = r.u32();
		m.stride = r.u32();
		m.format = r.u32();
		m.dir_ref = r.u32();
		if (m.buffer_id == 0)
			return bad(t, "buffer id 0");
		TRY(check_size(t, m.width, m.height));
		if (m.format != kFormatXRGB8888 && m.format != kFormatARGB8888)
			return bad(t, "unsupported format " + std::to_string(m.format));
		if (m.stride % 4 || m.stride < m.width * 4 || m.stride > kMaxWidth * 4)
			return bad(t, "bad stride " + std::to_string(m.stride));
		return GuestBody(m);
	}
	case MsgType::kDamage: {
		Damage m;
		m.buffer_id = r.u32();
		uint32_t n = r.u32();
		m.frame = r.u64();
		m.timestamp_ns = r.u64();
		if (m.buffer_id == 0)
			return bad(t, "buffer id 0");
		if (m.frame == 0)
			return bad(t, "frame 0");
		if (n == 0 || n > kMaxDamageRects || r.left() != size_t(n) * 16)
			return bad(t, "rect count does not match the payload");
		m.rects.resize(n);
		for (Rect &rc : m.rects) {
			rc.x = r.u32();
			rc.y = r.u32();
			rc.w = r.u32();
			rc.h = r.u32();
			if (rc.w == 0 || rc.h == 0 || rc.x >= kMaxWidth || rc.y >= kMaxHeight ||
			    rc.w > kMaxWidth - rc.x || rc.h > kMaxHeight - rc.y)
				return bad(t, "rect out of range");
		}
		return GuestBody(m);
	}
	case MsgType::kClipboardReply: {
		ClipboardReply m;
		m.id = r.u32();
		uint32_t st = r.u32();
		m.format = r.u32();
		m.size = r.u32();
		if (m.id == 0)
			return bad(t, "request id 0");
		if (st > uint32_t(ClipStatus::kUnavailable))
			return bad(t, "unknown status " + std::to_string(st));
		m.status = ClipStatus(st);
		switch (m.status) {
		case ClipStatus::kData:
			if (!known_format(m.format))
				return bad(t, "unknown format " + std::to_string(m.format));
			if (m.size == 0 || m.size > kMaxClipboardTotal)
				return bad(t, "size " + std::to_string(m.size) + " outside 1.." +
						      std::to_string(kMaxClipboardTotal));
			break;
		case ClipStatus::kTooLarge:
			if (m.format != 0 && !known_format(m.format))
				return bad(t, "unknown format " + std::to_string(m.format));
			if (m.size == 0)
				return bad(t, "too large, but size 0");
			break;
		case ClipStatus::kEmpty:
		case ClipStatus::kUnavailable:
			if (m.format != 0 || m.size != 0)
				return bad(t, "format or size set without data");
			break;
		}
		return GuestBody(m);
	}
	case MsgType::kClipboardChunk: {
		ClipboardChunk m;
		m.id = r.u32();
		if (m.id == 0)
			return bad(t, "request id 0");
		m.bytes = r.str(r.left());
		return GuestBody(m);
	}
	case MsgType::kPasteResult: {
		PasteResult m;
		m.id = r.u32();
		uint32_t st = r.u32();
		if (m.id == 0)
			return bad(t, "paste id 0");
		if (st > uint32_t(PasteStatus::kFailed))
			return bad(t, "unknown status " + std::to_string(st));
		m.status = PasteStatus(st);
		return GuestBody(m);
	}
	case MsgType::kRestack: {
		Restack m;
		m.above = r.u32();
		if (m.above == window)
			return bad(t, "window above itself");
		return GuestBody(m);
	}
	default:
		break;
	}
	return bad(t, "not a guest message");
}

Result<Dom0Body> decode_dom0_body(uint32_t type, uint32_t window, Reader &r)
{
	const char *t = msg_type_name(type);
	bool needs_window = type == uint32_t(MsgType::kAck) ||
			    type == uint32_t(MsgType::kConfigureRequest) ||
			    type == uint32_t(MsgType::kCloseRequest) ||
			    type == uint32_t(MsgType::kFocus);
	if (needs_window && window == 0)
		return bad(t, "window id 0");
	if (!needs_window && window != 0)
		return bad(t, "connection message with a window id");

	switch (static_cast<MsgType>(type)) {
	case MsgType::kWelcome: {
		Welcome m;
		m.major = r.u16();
		m.minor = r.u16();
		m.screen_w = r.u32();
		m.screen_h = r.u32();
		m.max_windows = r.u32();
		TRY(check_size(t, m.screen_w, m.screen_h));
		if (m.max_windows == 0 || m.max_windows > kMaxWindows)
			return bad(t, "bad window limit");
		return Dom0Body(m);
	}
	case MsgType::kAck: {
		Ack m;
		m.frame = r.u64();
		m.buffer_id = r.u32();
		if (r.u32() != 0)
			return bad(t, "reserved field set");
		m.damage_ts = r.u64();
		m.recv_ts = r.u64();
		m.done_ts = r.u64();
		if (m.frame == 0 || m.buffer_id == 0)
			return bad(t, "frame or buffer id 0");
		return Dom0Body(m);
	}
	case MsgType::kConfigureRequest: {
		ConfigureRequest m;
		m.x = r.i32();
		m.y = r.i32();
		m.w = r.u32();
		m.h = r.u32();
		TRY(check_coords(t, m.x, m.y));
		TRY(check_size(t, m.w, m.h));
		return Dom0Body(m);
	}
	case MsgType::kCloseRequest:
		return Dom0Body(CloseRequest{});
	case MsgType::kFocus: {
		Focus m;
		uint32_t f = r.u32();
		if (f > 1)
			return bad(t, "bad focus value");
		m.focused = f == 1;
		return Dom0Body(m);
	}
	case MsgType::kClipboardRequest: {
		ClipboardRequest m;
		m.id = r.u32();
		m.max_bytes = r.u32();
		if (m.id == 0)
			return bad(t, "request id 0");
		if (m.max_bytes == 0 || m.max_bytes > kMaxClipboardTotal)
			return bad(t, "max bytes outside 1.." + std::to_string(kMaxClipboardTotal));
		return Dom0Body(m);
	}
	case MsgType::kClipboardPaste: {
		ClipboardPaste m;
		m.id = r.u32();
		m.format = r.u32();
		m.size = r.u32();
		m.target = r.u32();
		if (m.id == 0)
			return bad(t, "paste id 0");
		if (!known_format(m.format))
			return bad(t, "unknown format " + std::to_string(m.format));
		if (m.size == 0 || m.size > kMaxClipboardTotal)
			return bad(t, "size " + std::to_string(m.size) + " outside 1.." +
					      std::to_string(kMaxClipboardTotal));
		return Dom0Body(m);
	}
	case MsgType::kPasteChunk: {
		PasteChunk m;
		m.id = r.u32();
		if (m.id == 0)
			return bad(t, "paste id 0");
		m.bytes = r.str(r.left());
		return Dom0Body(m);
	}
	default:
		break;
	}
	return bad(t, "not a dom0 message");
}

Result<std::pair<Header, Reader>> split(std::span<const uint8_t> bytes)
{
	TRY_ASSIGN(Header h, parse_header(bytes));
	if (bytes.size() != kHeaderSize + h.length)
		return err(std::string(msg_type_name(h.type)) + ": message is " +
			   std::to_string(bytes.size()) + " bytes, header says " +
			   std::to_string(kHeaderSize + h.length));
	return std::pair<Header, Reader>(h, Reader(bytes.subspan(kHeaderSize)));
}

void encode_header(Writer &w, MsgType type, uint32_t window, uint32_t seq)
{
	w.u32(static_cast<uint32_t>(type));
	w.u32(0); // patched by finish()
	w.u32(window);
	w.u32(seq);
}

std::vector<uint8_t> finish(Writer &w)
{
	uint32_t len = static_cast<uint32_t>(w.out.size() - kHeaderSize);
	for (int i = 0; i < 4; i++)
		w.out[4 + i] = static_cast<uint8_t>(len >> (8 * i));
	return std::move(w.out);
}

template <class> [[maybe_unused]] inline constexpr bool kAlwaysFalse = false;

} // namespace

const char *msg_type_name(uint32_t type)
{
	switch (static_cast<MsgType>(type)) {
	case MsgType::kHello:
		return "hello";
	case MsgType::kCreate:
		return "create";
	case MsgType::kMap:
		return "map";
	case MsgType::kUnmap:
		return "unmap";
	case MsgType::kConfigure:
		return "configure";
	case MsgType::kDestroy:
		return "destroy";
	case MsgType::kTitle:
		return "title";
	case MsgType::kClass:
		return "class";
	case MsgType::kSizeHints:
		return "size-hints";
	case MsgType::kCursor:
		return "cursor";
	case MsgType::kBuffer:
		return "buffer";
	case MsgType::kDamage:
		return "damage";
	case MsgType::kClipboardReply:
		return "clipboard-reply";
	case MsgType::kClipboardChunk:
		return "clipboard-chunk";
	case MsgType::kPasteResult:
		return "paste-result";
	case MsgType::kRestack:
		return "restack";
	case MsgType::kWelcome:
		return "welcome";
	case MsgType::kAck:
		return "ack";
	case MsgType::kConfigureRequest:
		return "configure-request";
	case MsgType::kCloseRequest:
		return "close-request";
	case MsgType::kFocus:
		return "focus";
	case MsgType::kClipboardRequest:
		return "clipboard-request";
	case MsgType::kClipboardPaste:
		return "clipboard-paste";
	case MsgType::kPasteChunk:
		return "paste-chunk";
	}
	return "unknown";
}

const char *clip_format_mime(uint32_t format)
{
	switch (format) {
	case kClipText:
		return "text/plain;charset=utf-8";
	case kClipPng:
		return "image/png";
	}
	return "";
}

uint32_t max_payload(uint32_t type)
{
	return known_type(type) ? payload_bounds(type).max : 0;
}

Result<Header> parse_header(std::span<const uint8_t> bytes)
{
	if (bytes.size() < kHeaderSize)
		return err("truncated header (" + std::to_string(bytes.size()) + " bytes)");
	Reader r(bytes.first(kHeaderSize));
	Header h;
	h.type = r.u32();
	h.length = r.u32();
	h.window = r.u32();
	h.seq = r.u32();
	if (!known_type(h.type))
		return err("unknown message type " + std::to_string(h.type));
	Bounds b = payload_bounds(h.type);
	if (h.length < b.min || h.length > b.max)
		return err(std::string(msg_type_name(h.type)) + ": payload length " +
			   std::to_string(h.length) + " outside " + std::to_string(b.min) +
			   ".." + std::to_string(b.max));
	return h;
}

Result<GuestMessage> decode_guest(std::span<const uint8_t> bytes)
{
	TRY_ASSIGN(auto hr, split(bytes));
	auto &[h, r] = hr;
	if (!is_guest_type(h.type))
		return err(std::string(msg_type_name(h.type)) + ": not a guest message");
	TRY_ASSIGN(GuestBody body, decode_guest_body(h.type, h.window, r));
	return GuestMessage{h.window, h.seq, std::move(body)};
}

Result<Dom0Message> decode_dom0(std::span<const uint8_t> bytes)
{
	TRY_ASSIGN(auto hr, split(bytes));
	auto &[h, r] = hr;
	if (is_guest_type(h.type))
		return err(std::string(msg_type_name(h.type)) + ": not a dom0 message");
	TRY_ASSIGN(Dom0Body body, decode_dom0_body(h.type, h.window, r));
	return Dom0Message{h.window, h.seq, std::move(body)};
}

std::vector<uint8_t> encode(uint32_t window, uint32_t seq, const GuestBody &body)
{
	Writer w;
	std::visit(
		[&](const auto &m) {
			using T = std::decay_t<decltype(m)>;
			if constexpr (std::is_same_v<T, Hello>) {
				encode_header(w, MsgType::kHello, window, seq);
				w.u32(kMagic);
				w.u16(m.major);
				w.u16(m.minor);
				w.u32(m.screen_w);
				w.u32(m.screen_h);
			} else if constexpr (std::is_same_v<T, Create>) {
				encode_header(w, MsgType::kCreate, window, seq);
				w.i32(m.x);
				w.i32(m.y);
				w.u32(m.w);
				w.u32(m.h);
				w.u32(m.parent);
				w.u32(m.override_redirect ? kCreateOverrideRedirect : 0);
			} else if constexpr (std::is_same_v<T, Map>) {
				encode_header(w, MsgType::kMap, window, seq);
				w.u32(m.transient_for);
				w.u32(m.override_redirect ? kCreateOverrideRedirect : 0);
			} else if constexpr (std::is_same_v<T, Unmap>) {
				encode_header(w, MsgType::kUnmap, window, seq);
			} else if constexpr (std::is_same_v<T, Destroy>) {
				encode_header(w, MsgType::kDestroy, window, seq);
			} else if constexpr (std::is_same_v<T, Configure>) {
				encode_header(w, MsgType::kConfigure, window, seq);
				w.i32(m.x);
				w.i32(m.y);
				w.u32(m.w);
				w.u32(m.h);
				w.u32(m.override_redirect ? kCreateOverrideRedirect : 0);
			} else if constexpr (std::is_same_v<T, Title>) {
				encode_header(w, MsgType::kTitle, window, seq);
				w.bytes(m.utf8);
			} else if constexpr (std::is_same_v<T, Class>) {
				encode_header(w, MsgType::kClass, window, seq);
				w.u16(static_cast<uint16_t>(m.res_name.size()));
				w.u16(static_cast<uint16_t>(m.res_class.size()));
				w.bytes(m.res_name);
				w.bytes(m.res_class);
			} else if constexpr (std::is_same_v<T, SizeHints>) {
				encode_header(w, MsgType::kSizeHints, window, seq);
				for (uint32_t v : {m.flags, m.min_w, m.min_h, m.max_w, m.max_h, m.inc_w,
						   m.inc_h, m.base_w, m.base_h})
					w.u32(v);
			} else if constexpr (std::is_same_v<T, Cursor>) {
				encode_header(w, MsgType::kCursor, window, seq);
				w.u32(m.shape);
			} else if constexpr (std::is_same_v<T, Buffer>) {
				encode_header(w, MsgType::kBuffer, window, seq);
				for (uint32_t v :
				     {m.buffer_id, m.width, m.height, m.stride, m.format, m.dir_ref})
					w.u32(v);
			} else if constexpr (std::is_same_v<T, Damage>) {
				encode_header(w, MsgType::kDamage, window, seq);
				w.u32(m.buffer_id);
				w.u32(static_cast<uint32_t>(m.rects.size()));
				w.u64(m.frame);
				w.u64(m.timestamp_ns);
				for (const Rect &rc : m.rects) {
					w.u32(rc.x);
					w.u32(rc.y);
					w.u32(rc.w);
					w.u32(rc.h);
				}
			} else if constexpr (std::is_same_v<T, ClipboardReply>) {
				encode_header(w, MsgType::kClipboardReply, window, seq);
				w.u32(m.id);
				w.u32(uint32_t(m.status));
				w.u32(m.format);
				w.u32(m.size);
			} else if constexpr (std::is_same_v<T, ClipboardChunk>) {
				encode_header(w, MsgType::kClipboardChunk, window, seq);
				w.u32(m.id);
				w.bytes(m.bytes);
			} else if constexpr (std::is_same_v<T, PasteResult>) {
				encode_header(w, MsgType::kPasteResult, window, seq);
				w.u32(m.id);
				w.u32(uint32_t(m.status));
			} else if constexpr (std::is_same_v<T, Restack>) {
				encode_header(w, MsgType::kRestack, window, seq);
				w.u32(m.above);
			} else {
				static_assert(kAlwaysFalse<T>);
			}
		},
		body);
	return finish(w);
}

std::vector<uint8_t> encode(uint32_t window, uint32_t seq, const Dom0Body &body)
{
	Writer w;
	std::visit(
		[&](const auto &m) {
			using T = std::decay_t<decltype(m)>;
			if constexpr (std::is_same_v<T, Welcome>) {
				encode_header(w, MsgType::kWelcome, window, seq);
				w.u16(m.major);
				w.u16(m.minor);
				w.u32(m.screen_w);
				w.u32(m.screen_h);
				w.u32(m.max_windows);
			} else if constexpr (std::is_same_v<T, Ack>) {
				encode_header(w, MsgType::kAck, window, seq);
				w.u64(m.frame);
				w.u32(m.buffer_id);
				w.u32(0);
				w.u64(m.damage_ts);
				w.u64(m.recv_ts);
				w.u64(m.done_ts);
			} else if constexpr (std::is_same_v<T, ConfigureRequest>) {
				encode_header(w, MsgType::kConfigureRequest, window, seq);
				w.i32(m.x);
				w.i32(m.y);
				w.u32(m.w);
				w.u32(m.h);
			} else if constexpr (std::is_same_v<T, CloseRequest>) {
				encode_header(w, MsgType::kCloseRequest, window, seq);
			} else if constexpr (std::is_same_v<T, Focus>) {
				encode_header(w, MsgType::kFocus, window, seq);
				w.u32(m.focused ? 1 : 0);
			} else if constexpr (std::is_same_v<T, ClipboardRequest>) {
				encode_header(w, MsgType::kClipboardRequest, window, seq);
				w.u32(m.id);
				w.u32(m.max_bytes);
			} else if constexpr (std::is_same_v<T, ClipboardPaste>) {
				encode_header(w, MsgType::kClipboardPaste, window, seq);
				w.u32(m.id);
				w.u32(m.format);
				w.u32(m.size);
				w.u32(m.target);
			} else if constexpr (std::is_same_v<T, PasteChunk>) {
				encode_header(w, MsgType::kPasteChunk, window, seq);
				w.u32(m.id);
				w.bytes(m.bytes);
			} else {
				static_assert(kAlwaysFalse<T>);
			}
		},
		body);
	return finish(w);
}

bool is_valid_utf8(std::string_view s)
{
	const auto *p = reinterpret_cast<const uint8_t *>(s.data());
	size_t n = s.size(), i = 0;
	while (i < n) {
		uint8_t c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp, min;
		if ((c & 0xe0) == 0xc0) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

std::string sanitize_text(std::string_view s)
{
	assert(is_valid_utf8(s));
	std::string out;
	out.reserve(s.size());
	const auto *p = reinterpret_cast<const uint8_t *>(s.data());
	size_t i = 0;
	while (i < s.size()) {
		uint8_t c = p[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
		uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
		for (size_t k = 1; k < len; k++)
			cp = cp << 6 | (p[i + k] & 0x3f);
		bool drop = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
			    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
		if (!drop)
			out.append(s.substr(i, len));
		i += len;
	}
	return out;
}

} // namespace bulkhead::gui
