/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-blocksig: private interfaces between the target, metadata and
 * verification parts of the module.
 */
#ifndef DM_BLOCKSIG_H
#define DM_BLOCKSIG_H

#include <linux/bits.h>
#include <linux/device-mapper.h>
#include <linux/dm-bufio.h>
#include <linux/mempool.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <crypto/akcipher.h>
#include <crypto/hash.h>

#include "uapi/blocksig_format.h"

#define DM_MSG_PREFIX "blocksig"

/* Cache: default and maximum number of entries, number of lock stripes. */
#define BLOCKSIG_DEFAULT_CACHE_ENTRIES 262144U
#define BLOCKSIG_MAX_CACHE_ENTRIES BIT(22)
#define BLOCKSIG_CACHE_LOCKS 64

/* What a failed signature check does to the bio and the system. */
enum blocksig_mode {
	BLOCKSIG_MODE_EIO,
	BLOCKSIG_MODE_RESTART,
	BLOCKSIG_MODE_PANIC,
	BLOCKSIG_MODE_IGNORE,
};

/**
 * struct blocksig_cache_entry - one slot of the verified-digest cache
 * @tag: data block index + 1; 0 marks an empty slot
 * @digest: SHA-256 of the block's data, whose signature checked out
 */
struct blocksig_cache_entry {
	u64 tag;
	u8 digest[BLOCKSIG_DIGEST_SIZE];
};

/**
 * struct blocksig_cache - direct-mapped cache of verified block digests
 * @entries: @nr_entries slots; block b lives in slot b % @nr_entries
 * @nr_entries: number of slots, in [1, BLOCKSIG_MAX_CACHE_ENTRIES]
 * @locks: @locks[i] protects the tag and digest of every slot s with
 *	s % BLOCKSIG_CACHE_LOCKS == i, so a reader never sees a tag paired
 *	with half of another block's digest
 */
struct blocksig_cache {
	struct blocksig_cache_entry *entries;
	u32 nr_entries;
	spinlock_t locks[BLOCKSIG_CACHE_LOCKS]; /* see @locks above */
};

/**
 * struct blocksig_c - one blocksig target instance
 * @ti: the target
 * @data_dev: device holding the data blocks, from block 0
 * @meta_dev: device holding header, version map and signature records
 * @key_desc: description of the asymmetric key (table argument)
 * @image_id: image id from the table, equal to the header's
 * @min_image_version: lowest image version accepted (table argument)
 * @mode: what a failed check does
 * @cache_entries_arg: cache_entries from the table, 0 if not given
 * @block_bits: log2 of the data block size B
 * @sig_size: bytes per signature, equal to the key's modulus size
 * @data_blocks: number of signed data blocks
 * @image_version: image version from the signed header
 * @records_block: first metadata block holding signature records
 * @records_per_block: signature records per metadata block
 * @version_map: @data_blocks block versions, from the signed map
 * @bufio: dm-bufio client on @meta_dev, block size B
 * @hash_tfm: SHA-256
 * @sig_tfm: pkcs1pad(rsa,sha256) keyed with the public key
 * @req_pool: akcipher request + signature + digest buffers (kmalloc)
 * @req_size: size of one @req_pool element
 * @sig_offset: offset of the signature inside a @req_pool element
 * @wq: verification workqueue
 * @cache: verified-digest cache
 * @verified: signature checks passed
 * @verify_ns: time spent in RSA signature verification (benchmarks derive
 *	the signature-verification floor from it)
 * @cached: blocks accepted from the cache
 * @failed: signature checks failed
 *
 * Everything but the counters and the cache is written in the constructor
 * only and read-only afterwards.
 */
struct blocksig_c {
	struct dm_target *ti;
	struct dm_dev *data_dev;
	struct dm_dev *meta_dev;
	char *key_desc;
	u8 image_id[BLOCKSIG_IMAGE_ID_SIZE];
	u64 min_image_version;
	enum blocksig_mode mode;
	u32 cache_entries_arg;

	unsigned int block_bits;
	unsigned int sig_size;
	u64 data_blocks;
	u64 image_version;
	u64 records_block;
	unsigned int records_per_block;
	u64 *version_map;

	struct dm_bufio_client *bufio;
	struct crypto_shash *hash_tfm;
	struct crypto_akcipher *sig_tfm;
	mempool_t req_pool;
	unsigned int req_size;
	unsigned int sig_offset;
	struct workqueue_struct *wq;
	struct blocksig_cache cache;

	atomic64_t verified;
	atomic64_t cached;
	atomic64_t failed;
	atomic64_t verify_ns;
};

/**
 * struct blocksig_io - per-bio data
 * @bc: the target instance
 * @orig_bi_end_io: the bio's completion, restored before completing it
 * @iter: the bio's data as submitted (the lower device advances bi_iter)
 * @block: first data block of the bio
 * @n_blocks: number of data blocks in the bio
 * @work: verification work item
 */
struct blocksig_io {
	struct blocksig_c *bc;
	bio_end_io_t *orig_bi_end_io;
	struct bvec_iter iter;
	sector_t block;
	unsigned int n_blocks;
	struct work_struct work;
};

static inline struct blocksig_c *to_blocksig_c(struct dm_target *ti)
{
	return ti->private;
}

/* blocksig_meta.c */
int blocksig_meta_load(struct blocksig_c *bc);

/* blocksig_verify.c */
int blocksig_sha256(struct blocksig_c *bc, const void *data, unsigned int len,
		    u8 *digest);
int blocksig_check_sig(struct blocksig_c *bc, const u8 *sig, const u8 *digest);
int blocksig_cache_init(struct blocksig_cache *cache, u32 nr_entries);
void blocksig_cache_free(struct blocksig_cache *cache);
void blocksig_cache_clear(struct blocksig_cache *cache);
void blocksig_submit_prefetch(struct blocksig_io *io);
void blocksig_bio_end_io(struct bio *bio);

#endif /* DM_BLOCKSIG_H */
