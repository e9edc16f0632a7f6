/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * On-disk format of dm-blocksig metadata, shared by the kernel target
 * (dm-targets/blocksig) and the userspace tool (userspace/blocksig).
 *
 * All integers are little-endian. The format is documented in
 * Documentation/dm-blocksig.rst; any change to the layout below bumps
 * BLOCKSIG_FORMAT_VERSION, and both sides refuse versions they do not know.
 *
 * Metadata device layout (block size B = data_block_size):
 *
 *   block 0                 header: struct blocksig_header (256 bytes, the
 *                           signed part), then at offset 256 the header
 *                           signature (sig_size bytes), the rest zero
 *   blocks 1 .. M           version map: one __le64 per data block, the
 *                           image version at which that block was last
 *                           signed; M = ceil(data_blocks * 8 / B)
 *   blocks M+1 ..           signature records: sig_size bytes per data
 *                           block, floor(B / sig_size) records per block,
 *                           records never straddle a block
 *
 * The header signature covers SHA-256 of the 256-byte header; the header
 * carries SHA-256 of the whole version map (map_digest), so one signature
 * pins every block's version. Each data block's signature covers SHA-256
 * of struct blocksig_block_stmt, which binds the image id, block index,
 * block version and SHA-256 of the block's data.
 */
#ifndef BLOCKSIG_FORMAT_H
#define BLOCKSIG_FORMAT_H

#include <linux/types.h>

#define BLOCKSIG_HEADER_MAGIC "BLOCKSIG"	/* 8 bytes, no terminator */
#define BLOCKSIG_STMT_MAGIC "BSIGDATA"		/* 8 bytes, no terminator */
#define BLOCKSIG_MAGIC_LEN 8

#define BLOCKSIG_FORMAT_VERSION 1

/* Signature algorithms. Only RSA is built into Debian's kernel. */
#define BLOCKSIG_ALG_RSA_PKCS1_SHA256 1

#define BLOCKSIG_HEADER_SIZE 256		/* signed part of block 0 */
#define BLOCKSIG_HEADER_SIG_OFFSET 256		/* header signature in block 0 */
#define BLOCKSIG_DIGEST_SIZE 32			/* SHA-256 */
#define BLOCKSIG_IMAGE_ID_SIZE 16

#define BLOCKSIG_MIN_BLOCK_SIZE 1024
#define BLOCKSIG_MAX_BLOCK_SIZE 4096
#define BLOCKSIG_MIN_SIG_SIZE 256		/* RSA-2048 */
#define BLOCKSIG_MAX_SIG_SIZE 512		/* RSA-4096 */
/* Bounds the version map the kernel holds: 2^26 blocks = 256 GiB at 4 KiB. */
#define BLOCKSIG_MAX_DATA_BLOCKS (1ULL << 26)

struct blocksig_header {
	__u8 magic[BLOCKSIG_MAGIC_LEN];		/* BLOCKSIG_HEADER_MAGIC */
	__le32 format_version;			/* BLOCKSIG_FORMAT_VERSION */
	__le32 header_size;			/* BLOCKSIG_HEADER_SIZE */
	__le32 data_block_size;			/* bytes, power of two */
	__le32 sig_algo;			/* BLOCKSIG_ALG_* */
	__le32 sig_size;			/* bytes per signature */
	__le32 reserved0;			/* zero */
	__le64 data_blocks;			/* number of data blocks */
	__le64 image_version;			/* >= every entry of the map */
	__u8 image_id[BLOCKSIG_IMAGE_ID_SIZE];	/* random at format time */
	__le64 map_offset;			/* bytes; = data_block_size */
	__le64 records_offset;			/* bytes; block after the map */
	__u8 map_digest[BLOCKSIG_DIGEST_SIZE];	/* SHA-256 of the version map */
	__u8 key_id[BLOCKSIG_DIGEST_SIZE];	/* SHA-256 of signer's SPKI DER */
	__u8 reserved[112];			/* zero */
} __attribute__((packed));

/* What each data block's signature covers (through SHA-256). */
struct blocksig_block_stmt {
	__u8 magic[BLOCKSIG_MAGIC_LEN];		/* BLOCKSIG_STMT_MAGIC */
	__u8 image_id[BLOCKSIG_IMAGE_ID_SIZE];
	__le64 block_index;
	__le64 block_version;			/* = version map entry */
	__le32 data_block_size;
	__le32 reserved;			/* zero */
	__u8 data_digest[BLOCKSIG_DIGEST_SIZE];	/* SHA-256 of the block */
} __attribute__((packed));

#ifdef __cplusplus
static_assert(sizeof(struct blocksig_header) == BLOCKSIG_HEADER_SIZE,
	      "blocksig header size");
static_assert(sizeof(struct blocksig_block_stmt) == 80, "blocksig stmt size");
#else
_Static_assert(sizeof(struct blocksig_header) == BLOCKSIG_HEADER_SIZE,
	       "blocksig header size");
_Static_assert(sizeof(struct blocksig_block_stmt) == 80, "blocksig stmt size");
#endif

/*
 * Device-mapper table (see Documentation/dm-blocksig.rst):
 *
 *   <start> <len> blocksig <data_dev> <meta_dev> <key_desc> <image_id_hex>
 *                          <min_image_version> [<#opt_args> <opt_args>...]
 *
 * opt_args: restart_on_corruption | panic_on_corruption |
 *           ignore_corruption | cache_entries <n>
 */
#define BLOCKSIG_TARGET_NAME "blocksig"

#endif /* BLOCKSIG_FORMAT_H */
