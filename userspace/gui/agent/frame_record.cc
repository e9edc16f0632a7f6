// SPDX-License-Identifier: GPL-2.0-only
#include "frame_record.h"

#include <cstdio>

namespace bulkhead::gui {

std::string format_frame_record(const FrameRecord &r)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%llu %u %llu %u %llu %llu %llu %llu %llu",
			 (unsigned long long)r.ack_ns, r.window, (unsigned long long)r.frame, r.rects,
			 (unsigned long long)r.pixels, (unsigned long long)r.rtt_ns,
			 (unsigned long long)r.dom0_ns, (unsigned long long)r.tx_bytes,
			 (unsigned long long)r.rx_bytes);
	return std::string(buf, size_t(n));
}

} // namespace bulkhead::gui
