// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-blocksig: per-block verification (hashing, signature records, the
 * verified-digest cache and the completion work).
 */

#include <linux/bio.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/reboot.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "blocksig.h"

/**
 * blocksig_sha256() - SHA-256 of a linear buffer
 * @bc: target instance (provides the hash transform)
 * @data: bytes to hash
 * @len: number of bytes
 * @digest: BLOCKSIG_DIGEST_SIZE bytes of output
 *
 * Return: 0 or a negative errno from the crypto API.
 */
int blocksig_sha256(struct blocksig_c *bc, const void *data, unsigned int len,
		    u8 *digest)
{
	SHASH_DESC_ON_STACK(desc, bc->hash_tfm);
	int r;

	desc->tfm = bc->hash_tfm;
	r = crypto_shash_digest(desc, data, len, digest);
	shash_desc_zero(desc);
	return r;
}

/**
 * blocksig_check_sig() - check an RSA PKCS#1 v1.5 SHA-256 signature
 * @bc: target instance (provides the pre-keyed transform and buffers)
 * @sig: @bc->sig_size bytes of signature, any memory
 * @digest: SHA-256 digest the signature must cover
 *
 * The scatterlist needs linear kmalloc memory, so signature and digest are
 * copied into a @bc->req_pool element first. May sleep; never fails for
 * lack of memory of its own (mempool with GFP_NOIO).
 *
 * Return: 0 if the signature is good, -EKEYREJECTED, -EBADMSG or -EINVAL
 * if it is not, another negative errno if the check could not run.
 */
int blocksig_check_sig(struct blocksig_c *bc, const u8 *sig, const u8 *digest)
{
	struct akcipher_request *req;
	struct scatterlist sg[2];
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf, *s, *d;
	u32 flags;
	u64 start;
	int r;

	buf = mempool_alloc(&bc->req_pool, GFP_NOIO);
	req = (struct akcipher_request *)buf;
	s = buf + bc->sig_offset;
	d = s + bc->sig_size;
	memcpy(s, sig, bc->sig_size);
	memcpy(d, digest, BLOCKSIG_DIGEST_SIZE);

	akcipher_request_set_tfm(req, bc->sig_tfm);
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], s, bc->sig_size);
	sg_set_buf(&sg[1], d, BLOCKSIG_DIGEST_SIZE);
	akcipher_request_set_crypt(req, sg, NULL, bc->sig_size,
				   BLOCKSIG_DIGEST_SIZE);
	flags = CRYPTO_TFM_REQ_MAY_BACKLOG | CRYPTO_TFM_REQ_MAY_SLEEP;
	akcipher_request_set_callback(req, flags, crypto_req_done, &wait);
	start = ktime_get_ns();
	r = crypto_wait_req(crypto_akcipher_verify(req), &wait);
	atomic64_add(ktime_get_ns() - start, &bc->verify_ns);

	memzero_explicit(buf, bc->req_size);
	mempool_free(buf, &bc->req_pool);
	return r;
}

/**
 * blocksig_cache_init() - allocate an empty verified-digest cache
 * @cache: cache to set up
 * @nr_entries: number of slots, at least 1
 *
 * Return: 0 or -ENOMEM.
 */
int blocksig_cache_init(struct blocksig_cache *cache, u32 nr_entries)
{
	unsigned int i;

	cache->entries =
		kvcalloc(nr_entries, sizeof(*cache->entries), GFP_KERNEL);
	if (!cache->entries)
		return -ENOMEM;
	cache->nr_entries = nr_entries;
	for (i = 0; i < BLOCKSIG_CACHE_LOCKS; i++)
		spin_lock_init(&cache->locks[i]);
	return 0;
}

/**
 * blocksig_cache_free() - free the cache's slots
 * @cache: cache set up by blocksig_cache_init(), or zeroed
 */
void blocksig_cache_free(struct blocksig_cache *cache)
{
	kvfree(cache->entries);
	cache->entries = NULL;
	cache->nr_entries = 0;
}

/**
 * blocksig_cache_clear() - forget every verified digest
 * @cache: cache to clear
 *
 * Blocks read afterwards have their signatures checked again.
 */
void blocksig_cache_clear(struct blocksig_cache *cache)
{
	unsigned int i;
	u32 s;

	for (i = 0; i < BLOCKSIG_CACHE_LOCKS; i++) {
		spin_lock(&cache->locks[i]);
		for (s = i; s < cache->nr_entries; s += BLOCKSIG_CACHE_LOCKS)
			cache->entries[s].tag = 0;
		spin_unlock(&cache->locks[i]);
		cond_resched();
	}
}

static u32 blocksig_cache_slot(struct blocksig_cache *cache, u64 block)
{
	/* block < BLOCKSIG_MAX_DATA_BLOCKS < 2^32 */
	return (u32)block % cache->nr_entries;
}

/* true if @block's verified digest equals @digest */
static bool blocksig_cache_lookup(struct blocksig_cache *cache, u64 block,
				  const u8 *digest)
{
	u32 s = blocksig_cache_slot(cache, block);
	spinlock_t *lock = &cache->locks[s % BLOCKSIG_CACHE_LOCKS];
	struct blocksig_cache_entry *e = &cache->entries[s];
	bool hit;

	spin_lock(lock);
	hit = e->tag == block + 1 &&
	      !memcmp(e->digest, digest, BLOCKSIG_DIGEST_SIZE);
	spin_unlock(lock);
	return hit;
}

/* true if the cache holds some digest for @block (prefetch heuristic) */
static bool blocksig_cache_has(struct blocksig_cache *cache, u64 block)
{
	u32 s = blocksig_cache_slot(cache, block);
	spinlock_t *lock = &cache->locks[s % BLOCKSIG_CACHE_LOCKS];
	bool has;

	spin_lock(lock);
	has = cache->entries[s].tag == block + 1;
	spin_unlock(lock);
	return has;
}

static void blocksig_cache_insert(struct blocksig_cache *cache, u64 block,
				  const u8 *digest)
{
	u32 s = blocksig_cache_slot(cache, block);
	spinlock_t *lock = &cache->locks[s % BLOCKSIG_CACHE_LOCKS];
	struct blocksig_cache_entry *e = &cache->entries[s];

	spin_lock(lock);
	e->tag = block + 1;
	memcpy(e->digest, digest, BLOCKSIG_DIGEST_SIZE);
	spin_unlock(lock);
}

/* metadata block and byte offset of @block's signature record */
static sector_t blocksig_record_pos(struct blocksig_c *bc, u64 block,
				    unsigned int *offset)
{
	u64 q = block;
	u32 rem = do_div(q, bc->records_per_block);

	*offset = rem * bc->sig_size;
	return bc->records_block + q;
}

struct blocksig_prefetch_work {
	struct work_struct work;
	struct blocksig_c *bc;
	sector_t first;
	unsigned int count;
};

static void blocksig_prefetch_work_run(struct work_struct *work)
{
	struct blocksig_prefetch_work *pw =
		container_of(work, struct blocksig_prefetch_work, work);

	dm_bufio_prefetch(pw->bc->bufio, pw->first, pw->count);
	kfree(pw);
}

/**
 * blocksig_submit_prefetch() - start reading a bio's signature records
 * @io: per-bio data of a mapped read
 *
 * Queues a best-effort read of the metadata blocks that hold the records
 * of @io's data blocks, unless all of them are in the cache. Called from
 * the map function: allocates without blocking and gives up on failure.
 */
void blocksig_submit_prefetch(struct blocksig_io *io)
{
	struct blocksig_c *bc = io->bc;
	struct blocksig_prefetch_work *pw;
	sector_t first, last;
	unsigned int off, i;

	for (i = 0; i < io->n_blocks; i++)
		if (!blocksig_cache_has(&bc->cache, io->block + i))
			break;
	if (i == io->n_blocks)
		return;

	first = blocksig_record_pos(bc, io->block + i, &off);
	last = blocksig_record_pos(bc, io->block + io->n_blocks - 1, &off);

	pw = kmalloc(sizeof(*pw), GFP_NOIO | __GFP_NORETRY | __GFP_NOMEMALLOC |
					  __GFP_NOWARN);
	if (!pw)
		return;
	INIT_WORK(&pw->work, blocksig_prefetch_work_run);
	pw->bc = bc;
	pw->first = first;
	pw->count = last - first + 1;
	queue_work(bc->wq, &pw->work);
}

/*
 * SHA-256 of one data block, walking the bio's pages from *@iter; blocks
 * may span several bvecs. Advances *@iter past the block.
 */
static int blocksig_hash_block(struct blocksig_c *bc, struct bio *bio,
			       struct bvec_iter *iter, u8 *digest)
{
	SHASH_DESC_ON_STACK(desc, bc->hash_tfm);
	unsigned int todo = 1U << bc->block_bits;
	int r;

	desc->tfm = bc->hash_tfm;
	r = crypto_shash_init(desc);
	while (!r && todo) {
		struct bio_vec bv = bio_iter_iovec(bio, *iter);
		unsigned int len = min(bv.bv_len, todo);
		u8 *p = kmap_local_page(bv.bv_page);

		r = crypto_shash_update(desc, p + bv.bv_offset, len);
		kunmap_local(p);
		bio_advance_iter(bio, iter, len);
		todo -= len;
	}
	if (!r)
		r = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	return r;
}

/*
 * Check @block's signature record against its data digest. Returns 0 if
 * it is good, -EBADMSG if it is not, another errno if the record could not
 * be read or the check could not run.
 */
static int blocksig_check_record(struct blocksig_c *bc, u64 block,
				 const u8 *data_digest)
{
	struct blocksig_block_stmt stmt = {};
	u8 stmt_digest[BLOCKSIG_DIGEST_SIZE];
	u8 sig[BLOCKSIG_MAX_SIG_SIZE];
	struct dm_buffer *buf;
	unsigned int off;
	sector_t mblock;
	u8 *p;
	int r;

	mblock = blocksig_record_pos(bc, block, &off);
	p = dm_bufio_read(bc->bufio, mblock, &buf);
	if (IS_ERR(p)) {
		DMERR_LIMIT("%s: cannot read record of block %llu: %ld",
			    bc->data_dev->name, block, PTR_ERR(p));
		return PTR_ERR(p);
	}
	memcpy(sig, p + off, bc->sig_size);
	dm_bufio_release(buf);

	memcpy(stmt.magic, BLOCKSIG_STMT_MAGIC, BLOCKSIG_MAGIC_LEN);
	memcpy(stmt.image_id, bc->image_id, BLOCKSIG_IMAGE_ID_SIZE);
	stmt.block_index = cpu_to_le64(block);
	stmt.block_version = cpu_to_le64(bc->version_map[block]);
	stmt.data_block_size = cpu_to_le32(1U << bc->block_bits);
	memcpy(stmt.data_digest, data_digest, BLOCKSIG_DIGEST_SIZE);

	r = blocksig_sha256(bc, &stmt, sizeof(stmt), stmt_digest);
	if (r)
		return r;
	r = blocksig_check_sig(bc, sig, stmt_digest);
	if (r == -ENOMEM || r == -EAGAIN)
		return r;
	return r ? -EBADMSG : 0;
}

/* Account and act on a block whose signature check failed. */
static void blocksig_corrupted(struct blocksig_c *bc, u64 block)
{
	atomic64_inc(&bc->failed);
	DMERR_LIMIT("%s: block %llu signature check failed", bc->data_dev->name,
		    block);

	if (bc->mode == BLOCKSIG_MODE_RESTART)
		kernel_restart("dm-blocksig device corrupted");
	if (bc->mode == BLOCKSIG_MODE_PANIC)
		panic("dm-blocksig device corrupted");
}

static blk_status_t blocksig_verify_io(struct blocksig_io *io, struct bio *bio)
{
	struct blocksig_c *bc = io->bc;
	struct bvec_iter iter = io->iter;
	u8 digest[BLOCKSIG_DIGEST_SIZE];
	unsigned int i;
	int r;

	for (i = 0; i < io->n_blocks; i++) {
		u64 block = io->block + i;

		r = blocksig_hash_block(bc, bio, &iter, digest);
		if (r)
			return errno_to_blk_status(r);

		if (blocksig_cache_lookup(&bc->cache, block, digest)) {
			atomic64_inc(&bc->cached);
			continue;
		}

		r = blocksig_check_record(bc, block, digest);
		if (!r) {
			atomic64_inc(&bc->verified);
			blocksig_cache_insert(&bc->cache, block, digest);
			continue;
		}
		if (r != -EBADMSG)
			return errno_to_blk_status(r);

		blocksig_corrupted(bc, block);
		if (bc->mode != BLOCKSIG_MODE_IGNORE)
			return BLK_STS_IOERR;
	}
	return BLK_STS_OK;
}

static void blocksig_finish_io(struct blocksig_io *io, blk_status_t status)
{
	struct bio *bio = dm_bio_from_per_bio_data(io, sizeof(*io));

	bio->bi_end_io = io->orig_bi_end_io;
	bio->bi_status = status;
	bio_endio(bio);
}

static void blocksig_io_work(struct work_struct *work)
{
	struct blocksig_io *io = container_of(work, struct blocksig_io, work);
	struct bio *bio = dm_bio_from_per_bio_data(io, sizeof(*io));

	blocksig_finish_io(io, blocksig_verify_io(io, bio));
}

/**
 * blocksig_bio_end_io() - completion of a read remapped to the data device
 * @bio: the bio, its data now in memory
 *
 * Runs in interrupt context: passes a failed read straight up, otherwise
 * queues the verification on the target's workqueue.
 */
void blocksig_bio_end_io(struct bio *bio)
{
	struct blocksig_io *io = bio->bi_private;

	if (bio->bi_status) {
		blocksig_finish_io(io, bio->bi_status);
		return;
	}
	INIT_WORK(&io->work, blocksig_io_work);
	queue_work(io->bc->wq, &io->work);
}
