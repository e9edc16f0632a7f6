// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-blocksig: a read-only device-mapper target whose every data block
 * carries an RSA signature made by dom0.
 *
 * Table:
 *   <data_dev> <meta_dev> <key_desc> <image_id_hex32> <min_image_version>
 *   [<#opt_args> restart_on_corruption | panic_on_corruption |
 *    ignore_corruption | cache_entries <n>]
 *
 * See Documentation/dm-blocksig.rst and uapi/blocksig_format.h.
 */

/**
 * DOC: Theory of operation
 *
 * The constructor reads the metadata header, checks every field, looks up
 * the asymmetric key named by the table, checks the header signature, then
 * reads the whole version map and checks it against the digest in the
 * signed header. From then on the header and map are held in memory and
 * never re-read.
 *
 * Reads are remapped to the data device unchanged. On completion a work
 * item hashes each data block of the bio. If the verified-digest cache
 * holds this block with the same digest, the block is good. Otherwise the
 * block's signature record is read from the metadata device (prefetched at
 * map time) and checked against SHA-256 of struct blocksig_block_stmt,
 * which binds image id, block index, block version (from the signed map),
 * block size and the data digest. A good block enters the cache.
 */

/**
 * DOC: Security
 *
 * Threat: the storage domain serving the data and metadata devices is
 * hostile. It controls every byte of both and can change them at any
 * time; it does not have the private key, which only dom0 and the TPM
 * hold. Trust is anchored in the key named by the table, which only the
 * (root) process loading the table can have put in its keyring.
 *
 * What it can forge: nothing that reaches a reader. Header fields are
 * checked before use and the header is signed; the map is bound to the
 * header by its digest; each block is bound by its signature to this
 * image, its index and its version. Modified data or records, swapped
 * blocks, blocks or records from another image or key, and a block put
 * back from an older version (its record names the old version, the
 * signed map the new one) all fail the check. The whole metadata of an
 * older image version is refused below the table's min_image_version; at
 * or above it, rollback to that complete older image is possible and is
 * what min_image_version is for.
 *
 * What it can cause: a failed check is counted, logged (rate-limited) and
 * fails that bio with -EIO; other bios are unaffected. The table may make
 * it restart or panic instead; ignore_corruption returns the data but still
 * counts and logs. No table argument or module parameter turns the checks
 * off. Metadata read errors fail the bio with -EIO. It can force one RSA
 * verification per block read that misses the cache (about 0.25 ms per
 * RSA-2048 check under TCG) by corrupting data, bounded by the read rate.
 *
 * Memory, all allocated by the constructor and bounded: the version map,
 * 8 bytes per data block (data_blocks <= BLOCKSIG_MAX_DATA_BLOCKS, checked
 * before the header signature, allocated only after it: at most 512 MiB,
 * 2 MiB per GiB of 4 KiB blocks); the cache, cache_entries * 40 bytes
 * (default min(data_blocks, 262144), at most 10 MiB; cache_entries at most
 * 2^22, 160 MiB); the dm-bufio cache of metadata blocks, bounded by
 * dm-bufio's global limit; per bio, struct blocksig_io in the bio and one
 * verifier buffer from a mempool while a signature is checked.
 *
 * The data pages are hashed after the lower device completed the read;
 * the frontend must not leave them writable by the backend afterwards
 * (Xen blkfront bounces through its own grants unless the backend is
 * trusted).
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "blocksig.h"

#define BLOCKSIG_OPT_RESTART "restart_on_corruption"
#define BLOCKSIG_OPT_PANIC "panic_on_corruption"
#define BLOCKSIG_OPT_IGNORE "ignore_corruption"
#define BLOCKSIG_OPT_CACHE "cache_entries"

static const char *const blocksig_mode_names[] = {
	[BLOCKSIG_MODE_EIO] = "eio",
	[BLOCKSIG_MODE_RESTART] = BLOCKSIG_OPT_RESTART,
	[BLOCKSIG_MODE_PANIC] = BLOCKSIG_OPT_PANIC,
	[BLOCKSIG_MODE_IGNORE] = BLOCKSIG_OPT_IGNORE,
};

static int blocksig_parse_opt_args(struct dm_target *ti, struct blocksig_c *bc,
				   struct dm_arg_set *as)
{
	static const struct dm_arg opt_count = {
		0, 3, "Invalid number of optional arguments"
	};
	static const struct dm_arg cache_arg = { 1, BLOCKSIG_MAX_CACHE_ENTRIES,
						 "Invalid cache_entries" };
	unsigned int argc, n;
	bool mode_set = false;
	const char *opt;
	int r;

	r = dm_read_arg_group(&opt_count, as, &argc, &ti->error);
	if (r)
		return r;
	if (as->argc != argc) {
		ti->error = "Optional argument count does not match";
		return -EINVAL;
	}

	while (argc) {
		opt = dm_shift_arg(as);
		argc--;
		if (!strcasecmp(opt, BLOCKSIG_OPT_RESTART) ||
		    !strcasecmp(opt, BLOCKSIG_OPT_PANIC) ||
		    !strcasecmp(opt, BLOCKSIG_OPT_IGNORE)) {
			if (mode_set) {
				ti->error =
					"Conflicting or repeated corruption modes";
				return -EINVAL;
			}
			mode_set = true;
			if (!strcasecmp(opt, BLOCKSIG_OPT_RESTART))
				bc->mode = BLOCKSIG_MODE_RESTART;
			else if (!strcasecmp(opt, BLOCKSIG_OPT_PANIC))
				bc->mode = BLOCKSIG_MODE_PANIC;
			else
				bc->mode = BLOCKSIG_MODE_IGNORE;
		} else if (!strcasecmp(opt, BLOCKSIG_OPT_CACHE)) {
			if (bc->cache_entries_arg) {
				ti->error = "Repeated cache_entries";
				return -EINVAL;
			}
			if (!argc) {
				ti->error = "cache_entries needs a value";
				return -EINVAL;
			}
			r = dm_read_arg(&cache_arg, as, &n, &ti->error);
			if (r)
				return r;
			argc--;
			bc->cache_entries_arg = n;
		} else {
			DMERR("unknown optional argument \"%s\"", opt);
			ti->error = "Unknown optional argument";
			return -EINVAL;
		}
	}
	return 0;
}

static int blocksig_parse_args(struct dm_target *ti, struct blocksig_c *bc,
			       unsigned int argc, char **argv)
{
	struct dm_arg_set as;
	int r;

	if (argc < 5) {
		ti->error = "Not enough arguments";
		return -EINVAL;
	}
	if (argc > 5) {
		as.argc = argc - 5;
		as.argv = argv + 5;
		r = blocksig_parse_opt_args(ti, bc, &as);
		if (r)
			return r;
	}

	if (!*argv[2] || strlen(argv[2]) > 255) {
		ti->error = "Invalid key description";
		return -EINVAL;
	}
	bc->key_desc = kstrdup(argv[2], GFP_KERNEL);
	if (!bc->key_desc) {
		ti->error = "Cannot allocate memory";
		return -ENOMEM;
	}
	if (strlen(argv[3]) != 2 * BLOCKSIG_IMAGE_ID_SIZE ||
	    hex2bin(bc->image_id, argv[3], BLOCKSIG_IMAGE_ID_SIZE)) {
		ti->error = "Invalid image id (want 32 hex digits)";
		return -EINVAL;
	}
	if (kstrtoull(argv[4], 10, &bc->min_image_version)) {
		ti->error = "Invalid minimum image version";
		return -EINVAL;
	}

	r = dm_get_device(ti, argv[0], FMODE_READ, &bc->data_dev);
	if (r) {
		ti->error = "Data device lookup failed";
		return r;
	}
	r = dm_get_device(ti, argv[1], FMODE_READ, &bc->meta_dev);
	if (r) {
		ti->error = "Metadata device lookup failed";
		return r;
	}
	return 0;
}

static void blocksig_target_dtr(struct dm_target *ti)
{
	struct blocksig_c *bc = to_blocksig_c(ti);

	if (bc->wq)
		destroy_workqueue(bc->wq);
	blocksig_cache_free(&bc->cache);
	kvfree(bc->version_map);
	if (bc->bufio)
		dm_bufio_client_destroy(bc->bufio);
	mempool_exit(&bc->req_pool);
	if (bc->sig_tfm)
		crypto_free_akcipher(bc->sig_tfm);
	if (bc->hash_tfm)
		crypto_free_shash(bc->hash_tfm);
	if (bc->meta_dev)
		dm_put_device(ti, bc->meta_dev);
	if (bc->data_dev)
		dm_put_device(ti, bc->data_dev);
	kfree(bc->key_desc);
	kfree(bc);
}

static int blocksig_target_ctr(struct dm_target *ti, unsigned int argc,
			       char **argv)
{
	struct blocksig_c *bc;
	sector_t blk_sectors;
	u32 entries;
	int r;

	bc = kzalloc(sizeof(*bc), GFP_KERNEL);
	if (!bc) {
		ti->error = "Cannot allocate blocksig structure";
		return -ENOMEM;
	}
	ti->private = bc;
	bc->ti = ti;
	atomic64_set(&bc->verified, 0);
	atomic64_set(&bc->cached, 0);
	atomic64_set(&bc->failed, 0);

	if (dm_table_get_mode(ti->table) & ~FMODE_READ) {
		ti->error = "Device must be readonly";
		r = -EINVAL;
		goto bad;
	}

	r = blocksig_parse_args(ti, bc, argc, argv);
	if (r)
		goto bad;

	bc->hash_tfm = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(bc->hash_tfm)) {
		r = PTR_ERR(bc->hash_tfm);
		bc->hash_tfm = NULL;
		ti->error = "Cannot allocate sha256";
		goto bad;
	}

	r = blocksig_meta_load(bc);
	if (r)
		goto bad;

	blk_sectors = 1U << (bc->block_bits - SECTOR_SHIFT);
	if (!ti->len || ti->len & (blk_sectors - 1)) {
		ti->error = "Length is not a multiple of the block size";
		r = -EINVAL;
		goto bad;
	}
	if ((ti->len >> (bc->block_bits - SECTOR_SHIFT)) > bc->data_blocks) {
		ti->error = "Length exceeds the signed data blocks";
		r = -EINVAL;
		goto bad;
	}
	if (bdev_nr_sectors(bc->data_dev->bdev) < ti->len) {
		ti->error = "Data device too small";
		r = -EINVAL;
		goto bad;
	}

	entries = bc->cache_entries_arg ?:
					  min_t(u64, bc->data_blocks,
						BLOCKSIG_DEFAULT_CACHE_ENTRIES);
	entries = min_t(u64, entries, bc->data_blocks);
	r = blocksig_cache_init(&bc->cache, entries);
	if (r) {
		ti->error = "Cannot allocate the cache";
		goto bad;
	}

	bc->wq = alloc_workqueue("kblocksigd",
				 WQ_MEM_RECLAIM | WQ_UNBOUND | WQ_HIGHPRI,
				 num_online_cpus());
	if (!bc->wq) {
		ti->error = "Cannot allocate workqueue";
		r = -ENOMEM;
		goto bad;
	}

	ti->per_io_data_size = sizeof(struct blocksig_io);
	return 0;

bad:
	blocksig_target_dtr(ti);
	return r;
}

static int blocksig_target_map(struct dm_target *ti, struct bio *bio)
{
	struct blocksig_c *bc = to_blocksig_c(ti);
	unsigned int shift = bc->block_bits - SECTOR_SHIFT;
	struct blocksig_io *io;
	sector_t sector;

	if (bio_op(bio) != REQ_OP_READ || !bio_sectors(bio))
		return DM_MAPIO_KILL;

	sector = dm_target_offset(ti, bio->bi_iter.bi_sector);
	if ((sector | bio_sectors(bio)) & ((1U << shift) - 1)) {
		DMERR_LIMIT("%s: unaligned read", bc->data_dev->name);
		return DM_MAPIO_KILL;
	}
	if (((sector + bio_sectors(bio)) >> shift) > bc->data_blocks) {
		DMERR_LIMIT("%s: read out of range", bc->data_dev->name);
		return DM_MAPIO_KILL;
	}

	bio_set_dev(bio, bc->data_dev->bdev);
	bio->bi_iter.bi_sector = sector;

	io = dm_per_bio_data(bio, ti->per_io_data_size);
	io->bc = bc;
	io->orig_bi_end_io = bio->bi_end_io;
	io->iter = bio->bi_iter;
	io->block = sector >> shift;
	io->n_blocks = bio_sectors(bio) >> shift;
	bio->bi_end_io = blocksig_bio_end_io;
	bio->bi_private = io;

	blocksig_submit_prefetch(io);
	submit_bio_noacct(bio);
	return DM_MAPIO_SUBMITTED;
}

static void blocksig_target_status(struct dm_target *ti, status_type_t type,
				   unsigned int status_flags, char *result,
				   unsigned int maxlen)
{
	struct blocksig_c *bc = to_blocksig_c(ti);
	unsigned int sz = 0, args;

	switch (type) {
	case STATUSTYPE_INFO:
		DMEMIT("verified=%llu cached=%llu failed=%llu version=%llu verify_ns=%llu",
		       (u64)atomic64_read(&bc->verified),
		       (u64)atomic64_read(&bc->cached),
		       (u64)atomic64_read(&bc->failed), bc->image_version,
		       (u64)atomic64_read(&bc->verify_ns));
		break;
	case STATUSTYPE_TABLE:
		DMEMIT("%s %s %s %*phN %llu", bc->data_dev->name,
		       bc->meta_dev->name, bc->key_desc, BLOCKSIG_IMAGE_ID_SIZE,
		       bc->image_id, bc->min_image_version);
		args = (bc->mode != BLOCKSIG_MODE_EIO) +
		       (bc->cache_entries_arg ? 2 : 0);
		if (!args)
			break;
		DMEMIT(" %u", args);
		if (bc->mode != BLOCKSIG_MODE_EIO)
			DMEMIT(" %s", blocksig_mode_names[bc->mode]);
		if (bc->cache_entries_arg)
			DMEMIT(" " BLOCKSIG_OPT_CACHE " %u",
			       bc->cache_entries_arg);
		break;
	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",data_device_name=%s,meta_device_name=%s",
		       bc->data_dev->name, bc->meta_dev->name);
		DMEMIT(",key_desc=%s,image_id=%*phN", bc->key_desc,
		       BLOCKSIG_IMAGE_ID_SIZE, bc->image_id);
		DMEMIT(",image_version=%llu,min_image_version=%llu",
		       bc->image_version, bc->min_image_version);
		DMEMIT(",corruption_mode=%s,signature_failed=%c;",
		       blocksig_mode_names[bc->mode],
		       atomic64_read(&bc->failed) ? 'C' : 'V');
		break;
	}
}

static int blocksig_target_message(struct dm_target *ti, unsigned int argc,
				   char **argv, char *result,
				   unsigned int maxlen)
{
	struct blocksig_c *bc = to_blocksig_c(ti);

	if (argc == 1 && !strcasecmp(argv[0], "drop_cache")) {
		blocksig_cache_clear(&bc->cache);
		return 0;
	}
	if (argc == 1 && !strcasecmp(argv[0], "reset_counters")) {
		atomic64_set(&bc->verified, 0);
		atomic64_set(&bc->cached, 0);
		atomic64_set(&bc->failed, 0);
		atomic64_set(&bc->verify_ns, 0);
		return 0;
	}
	DMERR("unrecognised message (want drop_cache or reset_counters)");
	return -EINVAL;
}

static int blocksig_target_iterate_devices(struct dm_target *ti,
					   iterate_devices_callout_fn fn,
					   void *data)
{
	struct blocksig_c *bc = to_blocksig_c(ti);

	return fn(ti, bc->data_dev, 0, ti->len, data);
}

static void blocksig_target_io_hints(struct dm_target *ti,
				     struct queue_limits *limits)
{
	struct blocksig_c *bc = to_blocksig_c(ti);
	unsigned int bs = 1U << bc->block_bits;

	limits->logical_block_size =
		max_t(unsigned int, limits->logical_block_size, bs);
	limits->physical_block_size =
		max_t(unsigned int, limits->physical_block_size, bs);
	blk_limits_io_min(limits, bs);
}

static struct target_type blocksig_target = {
	.name = BLOCKSIG_TARGET_NAME,
	.version = { 1, 0, 0 },
	.module = THIS_MODULE,
	.ctr = blocksig_target_ctr,
	.dtr = blocksig_target_dtr,
	.map = blocksig_target_map,
	.status = blocksig_target_status,
	.message = blocksig_target_message,
	.iterate_devices = blocksig_target_iterate_devices,
	.io_hints = blocksig_target_io_hints,
};

static int __init blocksig_module_init(void)
{
	int r;

	r = dm_register_target(&blocksig_target);
	if (r < 0)
		DMERR("register failed %d", r);
	return r;
}

static void __exit blocksig_module_exit(void)
{
	dm_unregister_target(&blocksig_target);
}

module_init(blocksig_module_init);
module_exit(blocksig_module_exit);

MODULE_DESCRIPTION(DM_NAME " target checking per-block RSA signatures");
MODULE_AUTHOR("Bulkhead developers");
MODULE_LICENSE("GPL");
MODULE_ALIAS("dm-blocksig");
