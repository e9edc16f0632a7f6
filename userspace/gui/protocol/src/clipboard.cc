// SPDX-License-Identifier: GPL-2.0-only
#include "bulkhead/gui/clipboard.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace bulkhead::gui {

Result<void> ClipReassembly::begin(uint32_t id, uint32_t format, uint64_t total, uint64_t limit)
{
	if (active_) {
		reset();
		return err("clipboard: transfer " + std::to_string(id) + " started while " +
			   std::to_string(id_) + " is incomplete");
	}
	if (id == 0)
		return err("clipboard: transfer id 0");
	if (format != kClipText && format != kClipPng)
		return err("clipboard: unknown format " + std::to_string(format));
	if (total == 0)
		return err("clipboard: empty transfer announced");
	if (total > kMaxClipboardTotal || total > limit)
		return err("clipboard: " + std::to_string(total) + " bytes announced, over the limit of " +
			   std::to_string(std::min<uint64_t>(limit, kMaxClipboardTotal)));
	active_ = true;
	id_ = id;
	format_ = format;
	total_ = total;
	data_.clear();
	return ok();
}

Result<bool> ClipReassembly::add(uint32_t id, std::string_view bytes)
{
	if (!active_)
		return err("clipboard: chunk of transfer " + std::to_string(id) + " with none active");
	if (id != id_) {
		uint32_t want = id_;
		reset();
		return err("clipboard: chunk of transfer " + std::to_string(id) + ", expected " +
			   std::to_string(want));
	}
	if (bytes.empty() || bytes.size() > kMaxClipboardChunk) {
		reset();
		return err("clipboard: chunk of " + std::to_string(bytes.size()) + " bytes");
	}
	if (bytes.size() > total_ - data_.size()) {
		uint64_t total = total_;
		reset();
		return err("clipboard: chunk runs past the announced " + std::to_string(total) +
			   " bytes");
	}
	if (data_.empty())
		data_.reserve(total_);
	data_.append(bytes);
	return data_.size() == total_;
}

std::string ClipReassembly::take()
{
	assert(complete());
	std::string out = std::move(data_);
	reset();
	return out;
}

void ClipReassembly::reset()
{
	active_ = false;
	id_ = format_ = 0;
	total_ = 0;
	data_ = std::string();
}

std::vector<std::string_view> split_chunks(std::string_view data, size_t chunk)
{
	assert(chunk > 0);
	std::vector<std::string_view> out;
	for (size_t off = 0; off < data.size(); off += chunk)
		out.push_back(data.substr(off, chunk));
	return out;
}

uint32_t crc32_png(std::string_view data)
{
	static const auto table = [] {
		std::array<uint32_t, 256> t{};
		for (uint32_t n = 0; n < 256; n++) {
			uint32_t c = n;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			t[n] = c;
		}
		return t;
	}();
	uint32_t c = 0xffffffffu;
	for (unsigned char b : data)
		c = table[(c ^ b) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

namespace {

uint32_t be32(const unsigned char *p)
{
	return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

bool valid_depth(uint8_t colour, uint8_t depth)
{
	switch (colour) {
	case 0: // greyscale
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
	case 3: // palette
		return depth == 1 || depth == 2 || depth == 4 || depth == 8;
	case 2: // RGB
	case 4: // grey + alpha
	case 6: // RGBA
		return depth == 8 || depth == 16;
	}
	return false;
}

} // namespace

Result<void> check_png(std::string_view data)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	const auto *p = reinterpret_cast<const unsigned char *>(data.data());
	size_t n = data.size();
	if (n < 8 || memcmp(p, sig, 8) != 0)
		return err("PNG: bad signature");
	size_t off = 8;
	int index = 0;
	bool seen_idat = false, idat_done = false, seen_plte = false;
	uint8_t colour = 0;
	for (;; index++) {
		if (n - off < 12)
			return err("PNG: truncated chunk header at byte " + std::to_string(off));
		uint32_t len = be32(p + off);
		if (len > 0x7fffffffu || len > n - off - 12)
			return err("PNG: chunk length " + std::to_string(len) + " runs past the data");
		std::string_view type(data.data() + off + 4, 4);
		for (char c : type)
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
				return err("PNG: chunk type is not four letters");
		uint32_t crc = be32(p + off + 8 + len);
		if (crc32_png(data.substr(off + 4, 4 + len)) != crc)
			return err("PNG: CRC mismatch in " + std::string(type) + " chunk");
		const unsigned char *body = p + off + 8;
		bool critical = type[0] >= 'A' && type[0] <= 'Z';
		if (index == 0 && type != "IHDR")
			return err("PNG: first chunk is not IHDR");
		if (type == "IHDR") {
			if (index != 0)
				return err("PNG: second IHDR");
			if (len != 13)
				return err("PNG: IHDR of " + std::to_string(len) + " bytes");
			uint32_t w = be32(body), h = be32(body + 4);
			if (w == 0 || h == 0 || w > 0x7fffffffu || h > 0x7fffffffu)
				return err("PNG: bad size " + std::to_string(w) + "x" + std::to_string(h));
			colour = body[9];
			if (!valid_depth(colour, body[8]))
				return err("PNG: bad bit depth / colour type");
			if (body[10] != 0 || body[11] != 0 || body[12] > 1)
				return err("PNG: unknown compression, filter or interlace method");
		} else if (type == "PLTE") {
			if (seen_idat || seen_plte)
				return err("PNG: PLTE misplaced");
			if (len == 0 || len % 3 || len > 256 * 3)
				return err("PNG: bad PLTE length");
			seen_plte = true;
		} else if (type == "IDAT") {
			if (idat_done)
				return err("PNG: IDAT chunks not consecutive");
			seen_idat = true;
		} else if (type == "IEND") {
			if (len != 0)
				return err("PNG: IEND with data");
			if (!seen_idat)
				return err("PNG: no IDAT");
			if (colour == 3 && !seen_plte)
				return err("PNG: palette image without PLTE");
			if (off + 12 != n)
				return err("PNG: data after IEND");
			return ok();
		} else if (critical) {
			return err("PNG: unknown critical chunk " + std::string(type));
		}
		if (seen_idat && type != "IDAT")
			idat_done = true;
		off += 12 + size_t(len);
	}
}

Result<void> check_clip_content(uint32_t format, std::string_view data)
{
	switch (format) {
	case kClipText:
		if (!is_valid_utf8(data))
			return err("text is not valid UTF-8");
		return ok();
	case kClipPng:
		return check_png(data);
	}
	return err("unknown clipboard format " + std::to_string(format));
}

} // namespace bulkhead::gui
