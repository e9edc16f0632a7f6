// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioread DEV seq|rand BLOCK TOTAL_BYTES [SPAN_BYTES]: O_DIRECT reads of
 * BLOCK bytes from DEV, sequential from offset 0 or at random BLOCK-aligned
 * offsets below SPAN_BYTES (default: the device size), TOTAL_BYTES in all.
 * Prints "MiB/s IOPS seconds" on one line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t size = 0, span, total, done = 0, x = 88172645463325252ULL;
	size_t bs;
	void *buf;
	double t0, dt;
	int fd, rnd;

	if (argc < 5) {
		fprintf(stderr, "usage: ioread DEV seq|rand BLOCK TOTAL [SPAN]\n");
		return 2;
	}
	rnd = !strcmp(argv[2], "rand");
	bs = strtoull(argv[3], NULL, 0);
	total = strtoull(argv[4], NULL, 0);
	fd = open(argv[1], O_RDONLY | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) != 0) {
		perror(argv[1]);
		return 1;
	}
	span = argc > 5 ? strtoull(argv[5], NULL, 0) : size;
	if (span > size)
		span = size;
	if (posix_memalign(&buf, 4096, bs))
		return 1;
	t0 = now();
	while (done < total) {
		uint64_t off;

		if (rnd) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			off = (x % (span / bs)) * bs;
		} else {
			off = done % (span - span % bs);
		}
		if (pread(fd, buf, bs, off) != (ssize_t)bs) {
			perror("pread");
			return 1;
		}
		done += bs;
	}
	dt = now() - t0;
	printf("%.2f %.0f %.3f\n", total / dt / 1048576.0, total / bs / dt, dt);
	return 0;
}
