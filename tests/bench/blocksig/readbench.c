// SPDX-License-Identifier: GPL-2.0-only
/*
 * readbench DEV [BLOCK]: read DEV from start to end with pread(BLOCK bytes,
 * default 1 MiB) and print "bytes seconds MiB/s". With RANDOM=1 in the
 * environment, reads 4 KiB blocks in a fixed pseudo-random order instead.
 * Exit 1 on any read error (so a benchmark never times a failing device).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
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
	size_t bs = argc > 2 ? strtoul(argv[2], NULL, 0) : 1 << 20;
	int rnd = getenv("RANDOM_ORDER") != NULL;
	uint64_t size = 0, done = 0;
	char *buf;
	double t0, dt;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: readbench DEV [BLOCK]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (rnd)
		bs = 4096;
	buf = aligned_alloc(4096, bs);
	if (!buf)
		return 1;
	t0 = now();
	if (rnd) {
		uint64_t n = size / bs, x = 88172645463325252ULL;

		for (uint64_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (pread(fd, buf, bs, (x % n) * bs) != (ssize_t)bs) {
				perror("pread");
				return 1;
			}
			done += bs;
		}
	} else {
		while (done < size) {
			ssize_t r = pread(fd, buf, bs, done);

			if (r <= 0) {
				perror("pread");
				return 1;
			}
			done += r;
		}
	}
	dt = now() - t0;
	printf("%llu %.4f %.1f\n", (unsigned long long)done, dt, done / dt / 1048576.0);
	return 0;
}
