// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer: the consumer reads a page written by a hostile producer. The
// input is a list of "producer moves": each 17-byte record overwrites one
// ring slot (its index byte, then the 16-byte event) and advances @prod by
// that byte's top bits; the input's tail (up to 648 bytes) is also the
// layout block. Whatever comes out must satisfy
// the consumer's promises: valid events only, coordinates on screen, no
// release without its press.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "consumer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	alignas(4096) static uint8_t page[GNTINPUT_PAGE_SIZE];
	gntinput_page_init(page);
	auto *p = reinterpret_cast<gntinput_page *>(page);
	size_t tail = std::min<size_t>(size, sizeof(gntinput_xkb));
	memcpy(&p->xkb, data + size - tail, tail);
	gntinput_consumer c;
	gntinput_consumer_init(&c, page, 320, 200);
	int down[256] = {};
	for (; size >= 17; data += 17, size -= 17) {
		memcpy(&p->ring[data[0] % GNTINPUT_RING_SIZE], data + 1, 16);
		p->prod += data[0] >> 5;
		gntinput_event e;
		int r;
		while ((r = gntinput_consumer_next(&c, &e)) == GNTINPUT_NEXT_EVENT) {
			switch (e.type) {
			case GNTINPUT_EV_KEY:
				if (e.detail < 8 || e.detail > 255)
					abort();
				down[e.detail] += e.flags ? 1 : -1;
				if (down[e.detail] < 0 && !e.flags)
					down[e.detail] = 0;
				break;
			case GNTINPUT_EV_BUTTON:
			case GNTINPUT_EV_MOTION:
			case GNTINPUT_EV_CROSSING:
				if (e.x < 0 || e.x >= 320 || e.y < 0 || e.y >= 200)
					abort();
				break;
			case GNTINPUT_EV_LAYOUT: {
				gntinput_layout l;
				if (gntinput_consumer_layout(&c, e.detail, &l) == 0 &&
				    (!memchr(l.options, 0, sizeof(l.options)) || !l.rules[0]))
					abort();
				break;
			}
			case GNTINPUT_EV_SCROLL:
			case GNTINPUT_EV_FOCUS:
				break;
			default:
				abort();
			}
		}
		gntinput_consumer_finish(&c);
		if (r == GNTINPUT_NEXT_BROKEN)
			break;
	}
	gntinput_event rel[GNTINPUT_MAX_KEYCODE + GNTINPUT_MAX_BUTTON];
	gntinput_consumer_release_all(&c, rel, sizeof(rel) / sizeof(rel[0]));
	return 0;
}
