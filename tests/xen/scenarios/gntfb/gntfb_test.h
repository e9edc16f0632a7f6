/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the gntfb Xen-tier test programs: the pixel pattern, the
 * XenStore keys the guest helper and dom0 talk through, small helpers.
 */
#ifndef GNTFB_TEST_H
#define GNTFB_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "../../../../kernel/gntfb/uapi/gntfb.h"

/* relative to the guest's home: buffer "dir_ref size pitch width height" */
#define T_XS_BUF "data/gntfb-test/buf"
/* dom0 -> guest: "SEQ VERB [ARG]"; guest -> dom0: last SEQ done */
#define T_XS_CMD "data/gntfb-test/cmd"
#define T_XS_DONE "data/gntfb-test/done"
/* guest: "loop_dir bad_dir foreign_ref revoked_ref" */
#define T_XS_HOSTILE "data/gntfb-test/hostile"
/* guest: grant ref of a page dom0 writes latency acks into */
#define T_XS_ACK "data/gntfb-test/ack-ref"

#define T_W 1920
#define T_H 1080

static inline uint32_t t_pat(uint32_t i)
{
	return (i * 2654435761u) ^ 0x5a5a5a5au;
}

static inline double t_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

#endif
