// SPDX-License-Identifier: GPL-2.0-only OR MIT
// The Bulkhead GUI protocol between bulkhead-agent (in an AppVM) and
// bulkhead-guid (dom0). Wire format, limits and the codec; the prose is in
// Documentation/gui-protocol.rst. No X header, no I/O: everything here is a
// pure function of bytes so it can be unit-tested and fuzzed.
//
// Every message is a 16-byte header followed by a payload, all integers
// little-endian:
//
//   offset 0  u32 type     (MsgType)
//   offset 4  u32 length   payload bytes that follow
//   offset 8  u32 window   guest window id (0: connection-level message)
//   offset 12 u32 seq      per-direction sequence number, 1, 2, 3, ...
//
// Each type has an exact payload size or a bounded one; anything else is a
// protocol violation and ends the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bulkhead/result.h"

namespace bulkhead::gui {

constexpr uint32_t kMagic = 0x55474842; // "BHGU"
constexpr uint16_t kVersionMajor = 1;
constexpr uint16_t kVersionMinor = 1; // 1.1: restack and the chunked clipboard messages

constexpr size_t kHeaderSize = 16;
constexpr uint32_t kMaxWidth = 16384;
constexpr uint32_t kMaxHeight = 6144;
constexpr int32_t kMaxCoord = 32767; // X11 coordinates are 16-bit
constexpr uint32_t kMaxTitleBytes = 512;
constexpr uint32_t kMaxClassBytes = 128; // each of res_name, res_class
constexpr uint32_t kMaxDamageRects = 16;
// Clipboard: data travels in chunks of at most kMaxClipboardChunk bytes after
// a reply/paste message announcing the total, which the receiver checks
// against its limit before accepting any byte. kMaxClipboardTotal is the
// protocol's ceiling; guid's configured limit (default 256 KiB) is lower.
constexpr uint32_t kMaxClipboardChunk = 65536;
constexpr uint32_t kMaxClipboardTotal = 2u << 20; // fits the 4 MiB send queue
constexpr uint32_t kDefaultClipboardLimit = 256u << 10;
constexpr uint32_t kMaxWindows = 512;	  // live windows per AppVM
constexpr uint32_t kMaxBuffersPerWindow = 2; // front + back
constexpr uint32_t kMaxCursorShape = 153;    // X cursor font glyphs 0..152, even
// Largest message (header + payload) in either direction.
constexpr size_t kMaxMessageSize = kHeaderSize + 4 + kMaxClipboardChunk;

// DRM fourcc codes (drm_fourcc.h) of the buffer formats we accept.
constexpr uint32_t kFormatXRGB8888 = 0x34325258; // 'XR24'
constexpr uint32_t kFormatARGB8888 = 0x34325241; // 'AR24'

enum class MsgType : uint32_t {
	// guest -> dom0
	kHello = 0x01,
	kCreate = 0x02,
	kMap = 0x03,
	kUnmap = 0x04,
	kConfigure = 0x05,
	kDestroy = 0x06,
	kTitle = 0x07,
	kClass = 0x08,
	kSizeHints = 0x09,
	kCursor = 0x0a,
	kBuffer = 0x0b,
	kDamage = 0x0c,
	kClipboardReply = 0x0d,
	kClipboardChunk = 0x0e,
	kPasteResult = 0x0f,
	kRestack = 0x10,
	// dom0 -> guest
	kWelcome = 0x81,
	kAck = 0x82,
	kConfigureRequest = 0x83,
	kCloseRequest = 0x84,
	kFocus = 0x85,
	kClipboardRequest = 0x86,
	kClipboardPaste = 0x87,
	kPasteChunk = 0x88,
};

const char *msg_type_name(uint32_t type);

struct Rect {
	uint32_t x = 0, y = 0, w = 0, h = 0;
	friend bool operator==(const Rect &, const Rect &) = default;
};

// ---- guest -> dom0
struct Hello {
	uint16_t major = kVersionMajor, minor = kVersionMinor;
	uint32_t screen_w = 0, screen_h = 0;
	friend bool operator==(const Hello &, const Hello &) = default;
};
constexpr uint32_t kCreateOverrideRedirect = 1u << 0;
struct Create {
	int32_t x = 0, y = 0;
	uint32_t w = 0, h = 0;
	uint32_t parent = 0; // 0: top-level
	bool override_redirect = false;
	friend bool operator==(const Create &, const Create &) = default;
};
struct Map {
	uint32_t transient_for = 0; // 0: none
	bool override_redirect = false;
	friend bool operator==(const Map &, const Map &) = default;
};
struct Unmap {
	friend bool operator==(const Unmap &, const Unmap &) = default;
};
struct Configure {
	int32_t x = 0, y = 0;
	uint32_t w = 0, h = 0;
	bool override_redirect = false;
	friend bool operator==(const Configure &, const Configure &) = default;
};
struct Destroy {
	friend bool operator==(const Destroy &, const Destroy &) = default;
};
struct Title {
	std::string utf8; // valid UTF-8, may hold control characters
	friend bool operator==(const Title &, const Title &) = default;
};
struct Class {
	std::string res_name, res_class;
	friend bool operator==(const Class &, const Class &) = default;
};
// Flags as in ICCCM WM_NORMAL_HINTS (PMinSize, PMaxSize, PResizeInc,
// PBaseSize); other bits are refused.
constexpr uint32_t kHintMinSize = 1u << 4;
constexpr uint32_t kHintMaxSize = 1u << 5;
constexpr uint32_t kHintResizeInc = 1u << 6;
constexpr uint32_t kHintBaseSize = 1u << 8;
constexpr uint32_t kHintAll = kHintMinSize | kHintMaxSize | kHintResizeInc | kHintBaseSize;
struct SizeHints {
	uint32_t flags = 0;
	uint32_t min_w = 0, min_h = 0, max_w = 0, max_h = 0;
	uint32_t inc_w = 0, inc_h = 0, base_w = 0, base_h = 0;
	friend bool operator==(const SizeHints &, const SizeHints &) = default;
};
struct Cursor {
	uint32_t shape = 0; // X cursor font glyph (XC_*), or kCursorDefault
	friend bool operator==(const Cursor &, const Cursor &) = default;
};
constexpr uint32_t kCursorDefault = 0xffffffff;
struct Buffer {
	uint32_t buffer_id = 0; // per window, strictly increasing
	uint32_t width = 0, height = 0, stride = 0, format = kFormatXRGB8888;
	uint32_t dir_ref = 0; // gntfb page-directory grant ref
	friend bool operator==(const Buffer &, const Buffer &) = default;
};
struct Damage {
	uint32_t buffer_id = 0;
	uint64_t frame = 0;	   // per window, strictly increasing, > 0
	uint64_t timestamp_ns = 0; // sender's CLOCK_MONOTONIC
	std::vector<Rect> rects;   // 1..kMaxDamageRects, in buffer coordinates
	friend bool operator==(const Damage &, const Damage &) = default;
};
// ---- clipboard (both directions)
// Formats: the MIME type of the bytes.
constexpr uint32_t kClipText = 1; // text/plain;charset=utf-8
constexpr uint32_t kClipPng = 2;  // image/png
const char *clip_format_mime(uint32_t format); // "" for unknown ones
// The agent's answer to clipboard-request.
enum class ClipStatus : uint32_t {
	kData = 0,	  // `size` bytes follow in clipboard-chunk messages
	kEmpty = 1,	  // nothing to copy (no CLIPBOARD owner)
	kTooLarge = 2,	  // over the requested max_bytes (`size`: its size or a lower bound)
	kUnavailable = 3, // no text or PNG target, or the owner did not answer
};
struct ClipboardReply {
	uint32_t id = 0; // the request's
	ClipStatus status = ClipStatus::kEmpty;
	uint32_t format = 0; // kData: kClipText or kClipPng; kTooLarge: 0 or either; else 0
	uint32_t size = 0;   // kData: 1..kMaxClipboardTotal; kTooLarge: > 0; else 0
	friend bool operator==(const ClipboardReply &, const ClipboardReply &) = default;
};
struct ClipboardChunk {
	uint32_t id = 0;
	std::string bytes; // 1..kMaxClipboardChunk
	friend bool operator==(const ClipboardChunk &, const ClipboardChunk &) = default;
};
// The agent's report on a paste (informational: dom0 notifies the user).
enum class PasteStatus : uint32_t {
	kPasted = 0,	 // owns CLIPBOARD with the data and sent the paste keys
	kBadText = 1,	 // refused: not valid UTF-8
	kBadImage = 2,	 // refused: not a well-formed PNG
	kFailed = 3,	 // could not own the selection or send the keys
};
struct PasteResult {
	uint32_t id = 0;
	PasteStatus status = PasteStatus::kPasted;
	friend bool operator==(const PasteResult &, const PasteResult &) = default;
};
// The guest restacked the window: it now lies directly above `above`, the
// nearest of the AppVM's announced windows below it (0: below all of them).
struct Restack {
	uint32_t above = 0;
	friend bool operator==(const Restack &, const Restack &) = default;
};

// ---- dom0 -> guest
struct Welcome {
	uint16_t major = kVersionMajor, minor = kVersionMinor;
	uint32_t screen_w = 0, screen_h = 0;
	uint32_t max_windows = kMaxWindows;
	friend bool operator==(const Welcome &, const Welcome &) = default;
};
struct Ack {
	uint64_t frame = 0;
	uint32_t buffer_id = 0;
	uint64_t damage_ts = 0; // the guest's timestamp, echoed
	uint64_t recv_ts = 0;	// dom0 CLOCK_MONOTONIC: damage received
	uint64_t done_ts = 0;	// dom0 CLOCK_MONOTONIC: X server finished reading
	friend bool operator==(const Ack &, const Ack &) = default;
};
struct ConfigureRequest {
	int32_t x = 0, y = 0;
	uint32_t w = 0, h = 0;
	friend bool operator==(const ConfigureRequest &, const ConfigureRequest &) = default;
};
struct CloseRequest {
	friend bool operator==(const CloseRequest &, const CloseRequest &) = default;
};
struct Focus {
	bool focused = false;
	friend bool operator==(const Focus &, const Focus &) = default;
};
struct ClipboardRequest {
	uint32_t id = 0;	// non-zero, chosen by dom0
	uint32_t max_bytes = 0; // 1..kMaxClipboardTotal: answer kTooLarge above it
	friend bool operator==(const ClipboardRequest &, const ClipboardRequest &) = default;
};
struct ClipboardPaste {
	uint32_t id = 0; // non-zero
	uint32_t format = kClipText;
	uint32_t size = 0;   // 1..kMaxClipboardTotal bytes follow in paste-chunk messages
	uint32_t target = 0; // guest window the user pasted into (0: the focused one)
	friend bool operator==(const ClipboardPaste &, const ClipboardPaste &) = default;
};
struct PasteChunk {
	uint32_t id = 0;
	std::string bytes; // 1..kMaxClipboardChunk
	friend bool operator==(const PasteChunk &, const PasteChunk &) = default;
};

using GuestBody = std::variant<Hello, Create, Map, Unmap, Configure, Destroy, Title, Class,
			       SizeHints, Cursor, Buffer, Damage, ClipboardReply, ClipboardChunk,
			       PasteResult, Restack>;
using Dom0Body = std::variant<Welcome, Ack, ConfigureRequest, CloseRequest, Focus,
			      ClipboardRequest, ClipboardPaste, PasteChunk>;

// The MsgType of a body (the variant order follows the type values).
inline uint32_t type_of(const GuestBody &b) { return static_cast<uint32_t>(b.index()) + 0x01; }
inline uint32_t type_of(const Dom0Body &b) { return static_cast<uint32_t>(b.index()) + 0x81; }

struct Header {
	uint32_t type = 0, length = 0, window = 0, seq = 0;
};

template <typename Body> struct Message {
	uint32_t window = 0;
	uint32_t seq = 0;
	Body body;
};
using GuestMessage = Message<GuestBody>;
using Dom0Message = Message<Dom0Body>;

// Parses a header from the first kHeaderSize bytes. Refuses unknown types
// and lengths over the type's bound, so a framer can reject a message
// before reading its payload.
Result<Header> parse_header(std::span<const uint8_t> bytes);
// Largest payload a message of this type may carry (0 for unknown types).
uint32_t max_payload(uint32_t type);

// Decodes exactly one whole message (header + payload, nothing more) and
// validates every field that can be checked without state. decode_guest
// accepts only guest->dom0 types, decode_dom0 only dom0->guest ones.
Result<GuestMessage> decode_guest(std::span<const uint8_t> bytes);
Result<Dom0Message> decode_dom0(std::span<const uint8_t> bytes);

std::vector<uint8_t> encode(uint32_t window, uint32_t seq, const GuestBody &body);
std::vector<uint8_t> encode(uint32_t window, uint32_t seq, const Dom0Body &body);

// ---- text
// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view s);
// For display in dom0: drops C0/C1 controls, DEL, and the bidirectional
// overrides and isolates (U+202A..U+202E, U+2066..U+2069) that could make
// a title read differently from what it is. Input must be valid UTF-8.
std::string sanitize_text(std::string_view utf8);

} // namespace bulkhead::gui
