// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many concurrent O_DIRECT readers of random blocks of a dm-blocksig
 * device: every read must succeed and match the image.
 *
 * Environment: BSIG_DEV, BSIG_IMAGE, BSIG_BS (default 4096),
 * BSIG_THREADS (default 8), BSIG_READS (per thread, default 256).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

struct reader {
	pthread_t thread;
	int fd;
	const unsigned char *image;
	long bs, nblocks, reads;
	unsigned int seed;
	long ok, bad, errors;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	void *buf;

	if (posix_memalign(&buf, 4096, 4 * r->bs)) {
		r->errors++;
		return NULL;
	}
	for (long i = 0; i < r->reads; i++) {
		long b = rand_r(&r->seed) % r->nblocks;
		long n = 1 + rand_r(&r->seed) % 4;
		ssize_t got;

		if (b + n > r->nblocks)
			n = r->nblocks - b;
		got = pread(r->fd, buf, n * r->bs, (off_t)b * r->bs);
		if (got != n * r->bs)
			r->errors++;
		else if (memcmp(buf, r->image + b * r->bs, n * r->bs))
			r->bad++;
		else
			r->ok++;
	}
	free(buf);
	return NULL;
}

TEST(concurrent_random_readers)
{
	const char *dev = getenv("BSIG_DEV"), *img = getenv("BSIG_IMAGE");
	long bs = atol(getenv("BSIG_BS") ?: "4096");
	int nthreads = atoi(getenv("BSIG_THREADS") ?: "8");
	long reads = atol(getenv("BSIG_READS") ?: "256");
	struct reader *rd;
	unsigned char *image;
	struct stat st;
	long ok = 0;
	int img_fd;

	ASSERT_NE(NULL, dev);
	ASSERT_NE(NULL, img);
	ASSERT_GT(nthreads, 0);
	img_fd = open(img, O_RDONLY);
	ASSERT_GE(img_fd, 0);
	ASSERT_EQ(0, fstat(img_fd, &st));
	image = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, img_fd, 0);
	ASSERT_NE(MAP_FAILED, image);
	rd = calloc(nthreads, sizeof(*rd));
	ASSERT_NE(NULL, rd);

	for (int i = 0; i < nthreads; i++) {
		rd[i].fd = open(dev, O_RDONLY | O_DIRECT);
		ASSERT_GE(rd[i].fd, 0) TH_LOG("open %s: %s", dev, strerror(errno));
		rd[i].image = image;
		rd[i].bs = bs;
		rd[i].nblocks = st.st_size / bs;
		rd[i].reads = reads;
		rd[i].seed = 0x5eed + i;
		ASSERT_EQ(0, pthread_create(&rd[i].thread, NULL, reader_fn, &rd[i]));
	}
	for (int i = 0; i < nthreads; i++) {
		ASSERT_EQ(0, pthread_join(rd[i].thread, NULL));
		EXPECT_EQ(0, rd[i].errors) TH_LOG("thread %d: %ld failed reads", i, rd[i].errors);
		EXPECT_EQ(0, rd[i].bad) TH_LOG("thread %d: %ld wrong data", i, rd[i].bad);
		ok += rd[i].ok;
		close(rd[i].fd);
	}
	EXPECT_EQ(nthreads * reads, ok);
	TH_LOG("%d threads, %ld good reads", nthreads, ok);
	munmap(image, st.st_size);
	close(img_fd);
	free(rd);
}

TEST_HARNESS_MAIN
