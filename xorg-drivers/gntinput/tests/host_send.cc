// SPDX-License-Identifier: GPL-2.0-only
// gntinput_host_send PAGE FIFO EVENT...: the producer side of the host test
// (xorg_test.sh): attaches to the driver's page (Option "Backend" "file"),
// queues the events, publishes them, rings the FIFO, and waits until the
// driver consumed them all. Events: k<keycode>+ / k<keycode>- (key press,
// release), b<button>+ / b<button>- (at the last motion), m<x>,<y>
// (motion), L<layout> (XKB evdev/pc105/<layout>).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

#include "producer.h"

using namespace bulkhead::input;

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: gntinput_host_send PAGE FIFO EVENT...\n");
		return 2;
	}
	int fd = open(argv[1], O_RDWR);
	void *m = fd < 0 ? MAP_FAILED : mmap(nullptr, GNTINPUT_PAGE_SIZE, PROT_READ | PROT_WRITE,
					     MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		perror(argv[1]);
		return 1;
	}
	auto pr = Producer::attach({static_cast<std::byte *>(m), GNTINPUT_PAGE_SIZE});
	if (!pr.ok()) {
		fprintf(stderr, "%s\n", pr.error().message.c_str());
		return 1;
	}
	int x = 0, y = 0;
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];
		size_t n = strlen(a);
		if ((a[0] == 'k' || a[0] == 'b') && n > 2 && (a[n - 1] == '+' || a[n - 1] == '-')) {
			unsigned v = unsigned(atoi(a + 1));
			if (a[0] == 'k')
				pr->key(v, a[n - 1] == '+');
			else
				pr->button(v, a[n - 1] == '+', x, y);
		} else if (a[0] == 'm' && sscanf(a + 1, "%d,%d", &x, &y) == 2) {
			pr->motion(x, y);
		} else if (a[0] == 'L') {
			auto r = pr->layout({"evdev", "pc105", a + 1, "", ""});
			if (!r.ok()) {
				fprintf(stderr, "%s\n", r.error().message.c_str());
				return 1;
			}
		} else {
			fprintf(stderr, "bad event '%s'\n", a);
			return 2;
		}
	}
	int fifo = open(argv[2], O_WRONLY | O_NONBLOCK);
	auto *page = static_cast<gntinput_page *>(m);
	for (int t = 0; t < 1000; t++) {
		auto f = pr->flush();
		if (!f.ok()) {
			fprintf(stderr, "%s\n", f.error().message.c_str());
			return 1;
		}
		if (*f && write(fifo, "x", 1) != 1)
			perror("fifo");
		if (!pr->queued() && __atomic_load_n(&page->cons, __ATOMIC_ACQUIRE) ==
					     __atomic_load_n(&page->prod, __ATOMIC_ACQUIRE))
			return 0;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	fprintf(stderr, "the driver did not consume the events in 10 s\n");
	return 1;
}
