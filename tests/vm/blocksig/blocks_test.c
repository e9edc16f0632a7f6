// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-block reads of a dm-blocksig (or dm-verity) device with O_DIRECT:
 * every block must read back byte-identical to the image, except the
 * blocks listed in BSIG_BAD, which must fail with EIO.
 *
 * Environment: BSIG_DEV (device), BSIG_IMAGE (expected contents),
 * BSIG_BAD (comma-separated block indexes, may be empty),
 * BSIG_BS (block size, default 4096).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define MAX_BAD 64

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v ? v : def;
}

static int parse_bad(const char *s, long *bad)
{
	int n = 0;

	while (*s && n < MAX_BAD) {
		char *end;

		bad[n++] = strtol(s, &end, 10);
		if (end == s)
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int is_bad(const long *bad, int nbad, long block)
{
	for (int i = 0; i < nbad; i++)
		if (bad[i] == block)
			return 1;
	return 0;
}

FIXTURE(dev) {
	int dev_fd, img_fd;
	long bs, nblocks;
	void *buf, *ref;
	long bad[MAX_BAD];
	int nbad;
};

FIXTURE_SETUP(dev)
{
	const char *dev = getenv("BSIG_DEV"), *img = getenv("BSIG_IMAGE");
	struct stat st;

	ASSERT_NE(NULL, dev) TH_LOG("BSIG_DEV not set");
	ASSERT_NE(NULL, img) TH_LOG("BSIG_IMAGE not set");
	self->bs = atol(env_or("BSIG_BS", "4096"));
	self->nbad = parse_bad(env_or("BSIG_BAD", ""), self->bad);
	ASSERT_GE(self->nbad, 0);
	self->dev_fd = open(dev, O_RDONLY | O_DIRECT);
	ASSERT_GE(self->dev_fd, 0) TH_LOG("open %s: %s", dev, strerror(errno));
	self->img_fd = open(img, O_RDONLY);
	ASSERT_GE(self->img_fd, 0) TH_LOG("open %s: %s", img, strerror(errno));
	ASSERT_EQ(0, fstat(self->img_fd, &st));
	self->nblocks = st.st_size / self->bs;
	ASSERT_EQ(0, posix_memalign(&self->buf, 4096, self->bs));
	self->ref = malloc(self->bs);
	ASSERT_NE(NULL, self->ref);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->dev_fd);
	close(self->img_fd);
	free(self->buf);
	free(self->ref);
}

/* Each block alone: good blocks byte-identical, bad blocks EIO. */
TEST_F(dev, each_block)
{
	long good = 0, eio = 0;

	for (long b = 0; b < self->nblocks; b++) {
		off_t off = (off_t)b * self->bs;
		ssize_t r = pread(self->dev_fd, self->buf, self->bs, off);

		if (is_bad(self->bad, self->nbad, b)) {
			EXPECT_EQ(-1, r) TH_LOG("block %ld read although corrupt", b);
			EXPECT_EQ(EIO, errno) TH_LOG("block %ld: %s", b, strerror(errno));
			eio++;
			continue;
		}
		ASSERT_EQ(self->bs, r) TH_LOG("block %ld: %s", b, strerror(errno));
		ASSERT_EQ(self->bs, pread(self->img_fd, self->ref, self->bs, off));
		ASSERT_EQ(0, memcmp(self->buf, self->ref, self->bs))
			TH_LOG("block %ld differs from the image", b);
		good++;
	}
	EXPECT_EQ(self->nbad, eio);
	TH_LOG("%ld blocks good, %ld EIO", good, eio);
}

TEST_HARNESS_MAIN
