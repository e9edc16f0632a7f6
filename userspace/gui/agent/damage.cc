// SPDX-License-Identifier: GPL-2.0-only
#include "damage.h"

#include <algorithm>
#include <cstdint>

namespace bulkhead::gui {
namespace {

bool contains(const Rect &o, const Rect &i)
{
	return uint64_t(i.x) >= o.x && uint64_t(i.y) >= o.y &&
	       uint64_t(i.x) + i.w <= uint64_t(o.x) + o.w && uint64_t(i.y) + i.h <= uint64_t(o.y) + o.h;
}

} // namespace

void merge_damage(std::vector<Rect> &v, const Rect &r)
{
	for (const Rect &q : v)
		if (contains(q, r))
			return;
	std::erase_if(v, [&](const Rect &q) { return contains(r, q); });
	v.push_back(r);
	if (v.size() <= kMaxDamageRects)
		return;
	uint32_t x1 = UINT32_MAX, y1 = UINT32_MAX, x2 = 0, y2 = 0;
	for (const Rect &q : v) {
		x1 = std::min(x1, q.x);
		y1 = std::min(y1, q.y);
		x2 = std::max(x2, q.x + q.w);
		y2 = std::max(y2, q.y + q.h);
	}
	v.assign(1, Rect{x1, y1, x2 - x1, y2 - y1});
}

} // namespace bulkhead::gui
