// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-blocksig: metadata (header, public key, version map), read and checked
 * once by the constructor.
 */

#include <linux/blkdev.h>
#include <linux/key.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <keys/asymmetric-subtype.h>
#include <keys/asymmetric-type.h>
#include <crypto/public_key.h>

#include "blocksig.h"

/* DER prefix of an RSA SubjectPublicKeyInfo's AlgorithmIdentifier */
static const u8 blocksig_rsa_algid[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
};

/* DER tag + length; returns the number of bytes written to @out (<= 4) */
static unsigned int blocksig_der_hdr(u8 *out, u8 tag, size_t len)
{
	out[0] = tag;
	if (len < 0x80) {
		out[1] = len;
		return 2;
	}
	if (len < 0x100) {
		out[1] = 0x81;
		out[2] = len;
		return 3;
	}
	out[1] = 0x82;
	out[2] = len >> 8;
	out[3] = len;
	return 4;
}

/*
 * SHA-256 of the SubjectPublicKeyInfo DER of an RSA key given as its
 * RSAPublicKey DER (what the X.509 parser keeps): the header's key_id.
 */
static int blocksig_rsa_key_id(struct blocksig_c *bc, const u8 *key,
			       size_t keylen, u8 *key_id)
{
	SHASH_DESC_ON_STACK(desc, bc->hash_tfm);
	u8 seq[4], bits[5];
	unsigned int nseq, nbits;
	int r;

	if (keylen > 0x1000)
		return -EINVAL;
	nbits = blocksig_der_hdr(bits, 0x03, keylen + 1);
	bits[nbits++] = 0; /* no unused bits */
	nseq = blocksig_der_hdr(seq, 0x30,
				sizeof(blocksig_rsa_algid) + nbits + keylen);

	desc->tfm = bc->hash_tfm;
	r = crypto_shash_init(desc);
	if (!r)
		r = crypto_shash_update(desc, seq, nseq);
	if (!r)
		r = crypto_shash_update(desc, blocksig_rsa_algid,
					sizeof(blocksig_rsa_algid));
	if (!r)
		r = crypto_shash_update(desc, bits, nbits);
	if (!r)
		r = crypto_shash_update(desc, key, keylen);
	if (!r)
		r = crypto_shash_final(desc, key_id);
	shash_desc_zero(desc);
	return r;
}

/*
 * Check every field of the (not yet authenticated) header and derive the
 * geometry. Needs nothing but the header and the table arguments.
 */
static int blocksig_check_header(struct blocksig_c *bc,
				 const struct blocksig_header *h)
{
	struct dm_target *ti = bc->ti;
	u32 bs = le32_to_cpu(h->data_block_size);
	u32 sig_size = le32_to_cpu(h->sig_size);
	u64 data_blocks = le64_to_cpu(h->data_blocks);
	u64 version = le64_to_cpu(h->image_version);
	u64 map_blocks;

	if (memcmp(h->magic, BLOCKSIG_HEADER_MAGIC, BLOCKSIG_MAGIC_LEN)) {
		ti->error = "Not blocksig metadata (bad magic)";
		return -EINVAL;
	}
	if (le32_to_cpu(h->format_version) != BLOCKSIG_FORMAT_VERSION) {
		DMERR("unknown metadata format version %u",
		      le32_to_cpu(h->format_version));
		ti->error = "Unknown metadata format version";
		return -EINVAL;
	}
	if (le32_to_cpu(h->header_size) != BLOCKSIG_HEADER_SIZE) {
		ti->error = "Bad metadata header size";
		return -EINVAL;
	}
	if (!is_power_of_2(bs) || bs < BLOCKSIG_MIN_BLOCK_SIZE ||
	    bs > min_t(u32, BLOCKSIG_MAX_BLOCK_SIZE, PAGE_SIZE)) {
		ti->error = "Bad data block size in metadata";
		return -EINVAL;
	}
	if (le32_to_cpu(h->sig_algo) != BLOCKSIG_ALG_RSA_PKCS1_SHA256) {
		ti->error = "Unknown signature algorithm in metadata";
		return -EINVAL;
	}
	if (sig_size < BLOCKSIG_MIN_SIG_SIZE ||
	    sig_size > BLOCKSIG_MAX_SIG_SIZE ||
	    sig_size + BLOCKSIG_HEADER_SIG_OFFSET > bs) {
		ti->error = "Bad signature size in metadata";
		return -EINVAL;
	}
	if (!data_blocks || data_blocks > BLOCKSIG_MAX_DATA_BLOCKS) {
		ti->error = "Bad number of data blocks in metadata";
		return -EINVAL;
	}
	if (!version) {
		ti->error = "Bad image version in metadata";
		return -EINVAL;
	}
	map_blocks = DIV_ROUND_UP(data_blocks * sizeof(__le64), bs);
	if (le64_to_cpu(h->map_offset) != bs ||
	    le64_to_cpu(h->records_offset) != (1 + map_blocks) * bs) {
		ti->error = "Bad map or record offsets in metadata";
		return -EINVAL;
	}
	if (h->reserved0 || memchr_inv(h->reserved, 0, sizeof(h->reserved))) {
		ti->error = "Reserved metadata header fields not zero";
		return -EINVAL;
	}
	if (memcmp(h->image_id, bc->image_id, BLOCKSIG_IMAGE_ID_SIZE)) {
		ti->error = "Metadata belongs to another image (image id)";
		return -EINVAL;
	}
	if (version < bc->min_image_version) {
		DMERR("image version %llu below minimum %llu", version,
		      bc->min_image_version);
		ti->error = "Image version below minimum";
		return -EINVAL;
	}

	bc->block_bits = ilog2(bs);
	bc->sig_size = sig_size;
	bc->data_blocks = data_blocks;
	bc->image_version = version;
	bc->records_block = 1 + map_blocks;
	bc->records_per_block = bs / sig_size;
	return 0;
}

/*
 * Look up the asymmetric key, allocate the pre-keyed verifier and check
 * that it matches the header's signature size and key id.
 */
static int blocksig_setup_key(struct blocksig_c *bc,
			      const struct blocksig_header *h)
{
	const struct asymmetric_key_subtype *subtype;
	struct dm_target *ti = bc->ti;
	const struct public_key *pk;
	u8 key_id[BLOCKSIG_DIGEST_SIZE];
	struct key *key;
	int r;

	key = request_key(&key_type_asymmetric, bc->key_desc, NULL);
	if (IS_ERR(key)) {
		DMERR("cannot find asymmetric key \"%s\": %ld", bc->key_desc,
		      PTR_ERR(key));
		ti->error = "Cannot find the signing key";
		return PTR_ERR(key);
	}

	down_read(&key->sem);
	r = key_validate(key);
	if (r) {
		ti->error = "Signing key is not valid";
		goto out;
	}
	subtype = asymmetric_key_subtype(key);
	pk = asymmetric_key_public_key(key);
	if (!subtype || strcmp(subtype->name, "public_key") || !pk ||
	    !pk->pkey_algo || strcmp(pk->pkey_algo, "rsa")) {
		ti->error = "Signing key is not an RSA public key";
		r = -EKEYREJECTED;
		goto out;
	}

	bc->sig_tfm = crypto_alloc_akcipher("pkcs1pad(rsa,sha256)", 0, 0);
	if (IS_ERR(bc->sig_tfm)) {
		r = PTR_ERR(bc->sig_tfm);
		bc->sig_tfm = NULL;
		ti->error = "Cannot allocate pkcs1pad(rsa,sha256)";
		goto out;
	}
	r = crypto_akcipher_set_pub_key(bc->sig_tfm, pk->key, pk->keylen);
	if (r) {
		ti->error = "Cannot set the public key";
		goto out;
	}
	if (crypto_akcipher_maxsize(bc->sig_tfm) != bc->sig_size) {
		ti->error = "Metadata signature size does not match the key";
		r = -EKEYREJECTED;
		goto out;
	}
	r = blocksig_rsa_key_id(bc, pk->key, pk->keylen, key_id);
	if (r) {
		ti->error = "Cannot compute the key id";
		goto out;
	}
	if (memcmp(key_id, h->key_id, BLOCKSIG_DIGEST_SIZE)) {
		ti->error = "Metadata was signed with another key (key id)";
		r = -EKEYREJECTED;
	}
out:
	up_read(&key->sem);
	key_put(key);
	return r;
}

/*
 * Read the version map (metadata blocks 1..M) into bc->version_map, check
 * its digest against the signed header and every entry's range.
 */
static int blocksig_load_map(struct blocksig_c *bc, const u8 *map_digest)
{
	SHASH_DESC_ON_STACK(desc, bc->hash_tfm);
	unsigned int bs = 1U << bc->block_bits;
	unsigned int per_block = bs / sizeof(__le64);
	struct dm_target *ti = bc->ti;
	u8 digest[BLOCKSIG_DIGEST_SIZE];
	struct dm_buffer *buf;
	u64 done = 0, i;
	sector_t mblock;
	int r;

	bc->version_map =
		kvmalloc_array(bc->data_blocks, sizeof(u64), GFP_KERNEL);
	if (!bc->version_map) {
		ti->error = "Cannot allocate the version map";
		return -ENOMEM;
	}

	desc->tfm = bc->hash_tfm;
	r = crypto_shash_init(desc);
	for (mblock = 1; !r && done < bc->data_blocks; mblock++) {
		u64 n = min_t(u64, per_block, bc->data_blocks - done);
		const __le64 *p = dm_bufio_read(bc->bufio, mblock, &buf);

		if (IS_ERR(p)) {
			ti->error = "Cannot read the version map";
			return PTR_ERR(p);
		}
		r = crypto_shash_update(desc, (const u8 *)p,
					n * sizeof(__le64));
		for (i = 0; i < n; i++)
			bc->version_map[done + i] = le64_to_cpu(p[i]);
		dm_bufio_release(buf);
		done += n;
		cond_resched();
	}
	if (!r)
		r = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	if (r) {
		ti->error = "Cannot hash the version map";
		return r;
	}

	if (memcmp(digest, map_digest, BLOCKSIG_DIGEST_SIZE)) {
		ti->error = "Version map does not match the signed header";
		return -EBADMSG;
	}
	for (i = 0; i < bc->data_blocks; i++) {
		if (!bc->version_map[i] ||
		    bc->version_map[i] > bc->image_version) {
			ti->error = "Version map entry out of range";
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Read the header and its signature (not yet checked) from a bufio client
 * on the metadata device with the smallest block size it supports.
 */
static int blocksig_read_header(struct blocksig_c *bc,
				struct blocksig_header *h, u8 *sig)
{
	struct dm_target *ti = bc->ti;
	struct dm_bufio_client *c;
	struct dm_buffer *buf;
	unsigned int hbs;
	u8 *p;
	int r = 0;

	/* block 0 of this size holds header and signature whatever B is */
	hbs = max_t(unsigned int, BLOCKSIG_MIN_BLOCK_SIZE,
		    bdev_logical_block_size(bc->meta_dev->bdev));
	if (hbs > PAGE_SIZE) {
		ti->error = "Metadata device block size too large";
		return -EINVAL;
	}
	c = dm_bufio_client_create(bc->meta_dev->bdev, hbs, 1, 0, NULL, NULL,
				   0);
	if (IS_ERR(c)) {
		ti->error = "Cannot initialize dm-bufio";
		return PTR_ERR(c);
	}
	if (dm_bufio_get_device_size(c) < 1) {
		ti->error = "Metadata device too small for the header";
		r = -EINVAL;
		goto out;
	}
	p = dm_bufio_read(c, 0, &buf);
	if (IS_ERR(p)) {
		ti->error = "Cannot read the metadata header";
		r = PTR_ERR(p);
		goto out;
	}
	memcpy(h, p, sizeof(*h));
	memcpy(sig, p + BLOCKSIG_HEADER_SIG_OFFSET, BLOCKSIG_MAX_SIG_SIZE);
	dm_bufio_release(buf);
out:
	dm_bufio_client_destroy(c);
	return r;
}

/**
 * blocksig_meta_load() - read and authenticate the metadata
 * @bc: target instance with devices, key description, image id and minimum
 *	version from the table, and the hash transform allocated
 *
 * Checks every header field, the image id and minimum version, looks up
 * the key and sets up the pre-keyed verifier and its buffer pool, checks
 * the header signature, creates the bufio client on the metadata device,
 * checks its size, and loads and checks the version map. Sets ti->error on
 * failure; the caller's destructor frees whatever was set up.
 *
 * Return: 0 or a negative errno.
 */
int blocksig_meta_load(struct blocksig_c *bc)
{
	u8 sig[BLOCKSIG_MAX_SIG_SIZE], digest[BLOCKSIG_DIGEST_SIZE];
	struct dm_target *ti = bc->ti;
	struct blocksig_header *h;
	unsigned int bs;
	u64 records_end;
	int r;

	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h) {
		ti->error = "Cannot allocate memory";
		return -ENOMEM;
	}
	r = blocksig_read_header(bc, h, sig);
	if (r)
		goto out;
	r = blocksig_check_header(bc, h);
	if (r)
		goto out;
	r = blocksig_setup_key(bc, h);
	if (r)
		goto out;

	bc->sig_offset = ALIGN(sizeof(struct akcipher_request) +
				       crypto_akcipher_reqsize(bc->sig_tfm),
			       8);
	bc->req_size = bc->sig_offset + bc->sig_size + BLOCKSIG_DIGEST_SIZE;
	r = mempool_init_kmalloc_pool(&bc->req_pool, 2, bc->req_size);
	if (r) {
		ti->error = "Cannot allocate the verifier pool";
		goto out;
	}

	r = blocksig_sha256(bc, h, sizeof(*h), digest);
	if (r) {
		ti->error = "Cannot hash the metadata header";
		goto out;
	}
	if (blocksig_check_sig(bc, sig, digest)) {
		ti->error = "Metadata header signature check failed";
		r = -EKEYREJECTED;
		goto out;
	}

	bs = 1U << bc->block_bits;
	if (bdev_logical_block_size(bc->meta_dev->bdev) > bs) {
		ti->error = "Metadata device blocks larger than data blocks";
		r = -EINVAL;
		goto out;
	}
	bc->bufio = dm_bufio_client_create(bc->meta_dev->bdev, bs, 1, 0, NULL,
					   NULL, 0);
	if (IS_ERR(bc->bufio)) {
		r = PTR_ERR(bc->bufio);
		bc->bufio = NULL;
		ti->error = "Cannot initialize dm-bufio";
		goto out;
	}
	records_end = bc->records_block +
		      DIV_ROUND_UP_ULL(bc->data_blocks, bc->records_per_block);
	if (dm_bufio_get_device_size(bc->bufio) < records_end) {
		ti->error = "Metadata device too small for the records";
		r = -EINVAL;
		goto out;
	}

	r = blocksig_load_map(bc, h->map_digest);
out:
	kfree(h);
	return r;
}
