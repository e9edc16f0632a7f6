// SPDX-License-Identifier: GPL-2.0-only
// The one message dom0 sends an AppVM over the key vchan at boot, and the
// AppVM's acknowledgement. Little-endian:
//
//   0   8  magic "BHSKEY01"
//   8   4  type: 1 = key (payload: the private volume key, 32..64 bytes)
//                2 = refused (payload: why dom0 has no key for this AppVM,
//                    printable ASCII, 1..200 bytes)
//   12  4  payload length
//   16  n  payload
//
// The AppVM answers with the 8 bytes "BHSKACK1" once it has the message.
// Anything else is refused; there is no negotiation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bulkhead/result.h"
#include "secret.h"

namespace storage {

inline constexpr char kKeyMagic[] = "BHSKEY01";
inline constexpr char kKeyAck[] = "BHSKACK1";
inline constexpr size_t kKeyHeaderSize = 16;
inline constexpr size_t kKeyAckSize = 8;
inline constexpr size_t kMinKeySize = 32;
inline constexpr size_t kMaxKeySize = 64;
inline constexpr size_t kMaxReasonSize = 200;

enum class KeyMessageType : uint32_t { key = 1, refused = 2 };

struct KeyMessage {
	KeyMessageType type = KeyMessageType::refused;
	Secret key;	    // type key
	std::string reason; // type refused
};

// Validates a 16-byte header; returns the payload length to read next.
bulkhead::Result<size_t> parse_key_header(std::span<const uint8_t> header, KeyMessageType &type);
// Validates the payload that follows a header of TYPE.
bulkhead::Result<KeyMessage> parse_key_payload(KeyMessageType type,
					       std::span<const uint8_t> payload);
// Whole message (header + payload) in one buffer; used by tests/fuzzer.
bulkhead::Result<KeyMessage> parse_key_message(std::span<const uint8_t> msg);

// Encoders (dom0). The key variant returns a Secret: it holds key bytes.
Secret encode_key_message(const Secret &key);
std::vector<uint8_t> encode_refusal(const std::string &reason);

} // namespace storage
