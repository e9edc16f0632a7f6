// SPDX-License-Identifier: GPL-2.0-only
// Damage bookkeeping of the agent (no X here): the rectangles of a window's
// next frame.
#pragma once

#include <vector>

#include "bulkhead/gui/protocol.h"

namespace bulkhead::gui {

// Adds r to a frame's pending damage v. A rectangle inside one already
// pending adds nothing, and pending ones inside r are dropped: dom0 copies
// every rectangle it is sent, so overlapping ones would be copied twice (a
// client redrawing a whole window between two acks would cost dom0 one
// whole-window copy per redraw). Past kMaxDamageRects, v becomes their
// bounding box.
void merge_damage(std::vector<Rect> &v, const Rect &r);

} // namespace bulkhead::gui
