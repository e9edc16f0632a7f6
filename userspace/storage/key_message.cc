// SPDX-License-Identifier: GPL-2.0-only
#include "key_message.h"

#include <cstring>

namespace storage {

using bulkhead::err;
using bulkhead::Result;

namespace {

uint32_t get_le32(const uint8_t *p)
{
	return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = uint8_t(v >> (8 * i));
}

void put_header(uint8_t *p, KeyMessageType type, uint32_t len)
{
	std::memcpy(p, kKeyMagic, 8);
	put_le32(p + 8, static_cast<uint32_t>(type));
	put_le32(p + 12, len);
}

} // namespace

Result<size_t> parse_key_header(std::span<const uint8_t> h, KeyMessageType &type)
{
	if (h.size() != kKeyHeaderSize)
		return err("key message: short header (" + std::to_string(h.size()) + " bytes)");
	if (std::memcmp(h.data(), kKeyMagic, 8) != 0)
		return err("key message: bad magic");
	uint32_t t = get_le32(h.data() + 8), len = get_le32(h.data() + 12);
	switch (t) {
	case uint32_t(KeyMessageType::key):
		if (len < kMinKeySize || len > kMaxKeySize)
			return err("key message: key length " + std::to_string(len) +
				   " outside " + std::to_string(kMinKeySize) + ".." +
				   std::to_string(kMaxKeySize));
		break;
	case uint32_t(KeyMessageType::refused):
		if (len < 1 || len > kMaxReasonSize)
			return err("key message: reason length " + std::to_string(len) +
				   " outside 1.." + std::to_string(kMaxReasonSize));
		break;
	default:
		return err("key message: unknown type " + std::to_string(t));
	}
	type = static_cast<KeyMessageType>(t);
	return size_t(len);
}

Result<KeyMessage> parse_key_payload(KeyMessageType type, std::span<const uint8_t> payload)
{
	KeyMessage m;
	m.type = type;
	if (type == KeyMessageType::key) {
		if (payload.size() < kMinKeySize || payload.size() > kMaxKeySize)
			return err("key message: bad key length");
		m.key = Secret(payload);
		return m;
	}
	if (payload.empty() || payload.size() > kMaxReasonSize)
		return err("key message: bad reason length");
	for (uint8_t c : payload)
		if (c < 0x20 || c > 0x7e)
			return err("key message: reason is not printable ASCII");
	m.reason.assign(payload.begin(), payload.end());
	return m;
}

Result<KeyMessage> parse_key_message(std::span<const uint8_t> msg)
{
	if (msg.size() < kKeyHeaderSize)
		return err("key message: short header (" + std::to_string(msg.size()) + " bytes)");
	KeyMessageType type;
	TRY_ASSIGN(size_t len, parse_key_header(msg.first(kKeyHeaderSize), type));
	if (msg.size() != kKeyHeaderSize + len)
		return err("key message: length " + std::to_string(msg.size() - kKeyHeaderSize) +
			   " does not match header " + std::to_string(len));
	return parse_key_payload(type, msg.subspan(kKeyHeaderSize));
}

Secret encode_key_message(const Secret &key)
{
	Secret out(kKeyHeaderSize + key.size());
	put_header(out.data(), KeyMessageType::key, uint32_t(key.size()));
	std::memcpy(out.data() + kKeyHeaderSize, key.data(), key.size());
	return out;
}

std::vector<uint8_t> encode_refusal(const std::string &reason)
{
	std::string r = reason.substr(0, kMaxReasonSize);
	for (char &c : r)
		if (c < 0x20 || c > 0x7e)
			c = '?';
	if (r.empty())
		r = "refused";
	std::vector<uint8_t> out(kKeyHeaderSize + r.size());
	put_header(out.data(), KeyMessageType::refused, uint32_t(r.size()));
	std::memcpy(out.data() + kKeyHeaderSize, r.data(), r.size());
	return out;
}

} // namespace storage
