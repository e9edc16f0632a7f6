// SPDX-License-Identifier: GPL-2.0-only
#include "ops.h"

#include <fcntl.h>
#include <sys/file.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include "bulkhead/unique_fd.h"
#include "test_util.h"

namespace blocksig {
namespace {

using bulkhead::Result;
using test::read_file;
using test::write_file;

constexpr uint32_t kBlock = 4096;
constexpr uint64_t kBlocks = 64;

class OpsTest : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		keys_dir = new test::TempDir();
		key = new test::TestKey(test::make_key(*keys_dir, "signer", 2048));
		other = new test::TestKey(test::make_key(*keys_dir, "other", 2048));
	}
	static void TearDownTestSuite()
	{
		delete key;
		delete other;
		delete keys_dir;
	}

	void SetUp() override
	{
		image = dir / "image";
		meta = dir / "meta";
		write_file(image, test::random_bytes(kBlocks * kBlock));
	}

	void do_format(uint64_t version = 1, unsigned threads = 0)
	{
		FormatOptions o;
		o.image = image;
		o.meta = meta;
		o.key = key->key_pem;
		o.image_version = version;
		o.threads = threads;
		auto r = format(o);
		ASSERT_TRUE(r.ok()) << r.error().message;
	}

	Result<VerifyResult> run_verify(const std::string &cert, uint64_t min_version = 1,
					std::optional<ImageId> id = std::nullopt)
	{
		VerifyOptions o;
		o.image = image;
		o.meta = meta;
		o.cert = cert;
		o.min_version = min_version;
		o.image_id = id;
		return verify(o);
	}

	// Indices of bad blocks; fails the test if the metadata is refused.
	std::vector<uint64_t> bad_blocks(const std::string &cert = "")
	{
		auto r = run_verify(cert.empty() ? key->cert_pem : cert);
		EXPECT_TRUE(r.ok()) << r.error().message;
		std::vector<uint64_t> out;
		if (r.ok())
			for (auto &b : r->bad)
				out.push_back(b.index);
		return out;
	}

	std::string verify_error(uint64_t min_version = 1)
	{
		auto r = run_verify(key->cert_pem, min_version);
		return r.ok() ? "" : r.error().message;
	}

	Result<UpdateResult> run_update(std::optional<std::string> blocks,
					std::optional<uint64_t> version = std::nullopt,
					const std::string &key_pem = "")
	{
		UpdateOptions o;
		o.image = image;
		o.meta = meta;
		o.key = key_pem.empty() ? key->key_pem : key_pem;
		if (blocks) {
			auto list = parse_block_list(*blocks);
			EXPECT_TRUE(list.ok());
			o.blocks = *list;
		}
		o.image_version = version;
		return update(o);
	}

	Layout layout()
	{
		auto bytes = read_file(meta);
		auto m = parse_metadata(bytes);
		EXPECT_TRUE(m.ok());
		return m->layout;
	}

	std::vector<uint64_t> version_map()
	{
		auto bytes = read_file(meta);
		auto m = parse_metadata(bytes);
		EXPECT_TRUE(m.ok());
		auto map = parse_map(*m);
		EXPECT_TRUE(map.ok());
		return *map;
	}

	void flip(const std::string &path, uint64_t off, uint8_t mask = 1)
	{
		auto b = read_file(path);
		ASSERT_LT(off, b.size());
		b[off] ^= mask;
		write_file(path, b);
	}

	void change_block(uint64_t i) { flip(image, i * kBlock + 100, 0xff); }

	static test::TempDir *keys_dir;
	static test::TestKey *key, *other;
	test::TempDir dir;
	std::string image, meta;
};

test::TempDir *OpsTest::keys_dir;
test::TestKey *OpsTest::key;
test::TestKey *OpsTest::other;

TEST_F(OpsTest, FormatVerifyRoundTrip)
{
	do_format(1, 3);
	auto r = run_verify(key->cert_pem);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_TRUE(r->bad.empty());
	EXPECT_EQ(r->header.data_blocks, kBlocks);
	EXPECT_EQ(r->header.sig_size, 256u);
	EXPECT_EQ(r->header.image_version, 1u);
	EXPECT_EQ(std::filesystem::file_size(meta), layout().meta_size);
	EXPECT_FALSE(std::filesystem::exists(meta + ".tmp"));
	// DER certificates work too.
	EXPECT_TRUE(bad_blocks(key->cert_der).empty());
}

TEST_F(OpsTest, FormatIsDeterministicGivenImageId)
{
	FormatOptions o{image, meta, key->key_pem, 4, 4096, ImageId{1, 2, 3}, 1};
	ASSERT_TRUE(format(o).ok());
	auto a = read_file(meta);
	o.threads = 4;
	ASSERT_TRUE(format(o).ok());
	EXPECT_EQ(a, read_file(meta)); // RSA PKCS#1 v1.5 is deterministic
	auto r = run_verify(key->cert_pem, 1, ImageId{1, 2, 3});
	ASSERT_TRUE(r.ok());
	EXPECT_EQ(r->header.image_version, 4u);
}

TEST_F(OpsTest, DataBitFlipReportsOnlyThatBlock)
{
	do_format();
	flip(image, 17 * kBlock + 4000, 0x10);
	EXPECT_EQ(bad_blocks(), (std::vector<uint64_t>{17}));
	flip(image, 63 * kBlock + 4095);
	flip(image, 0);
	EXPECT_EQ(bad_blocks(), (std::vector<uint64_t>{0, 17, 63}));
}

TEST_F(OpsTest, RecordByteFlipReportsThatBlock)
{
	do_format();
	flip(meta, layout().record_offset(5) + 10);
	EXPECT_EQ(bad_blocks(), (std::vector<uint64_t>{5}));
	flip(meta, layout().record_offset(16) + 255); // first record of 2nd block
	EXPECT_EQ(bad_blocks(), (std::vector<uint64_t>{5, 16}));
}

TEST_F(OpsTest, SwappedBlocksAreBothReported)
{
	do_format();
	auto b = read_file(image);
	std::swap_ranges(b.begin() + 3 * kBlock, b.begin() + 4 * kBlock, b.begin() + 40 * kBlock);
	write_file(image, b);
	EXPECT_EQ(bad_blocks(), (std::vector<uint64_t>{3, 40}));
}

TEST_F(OpsTest, BlockAndRecordFromBeforeUpdateIsReported)
{
	do_format();
	auto old_image = read_file(image), old_meta = read_file(meta);
	change_block(9);
	auto r = run_update("9");
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_TRUE(bad_blocks().empty());
	// Roll block 9 and its record back to version 1: the map says 2.
	auto img = read_file(image), m = read_file(meta);
	std::copy_n(old_image.begin() + 9 * kBlock, kBlock, img.begin() + 9 * kBlock);
	uint64_t off = layout().record_offset(9);
	std::copy_n(old_meta.begin() + off, 256, m.begin() + off);
	write_file(image, img);
	write_file(meta, m);
	EXPECT_EQ(bad_blocks(), (std::vector<uint64_t>{9}));
}

TEST_F(OpsTest, OldMetadataRefusedWithMinVersion)
{
	do_format();
	auto old_image = read_file(image), old_meta = read_file(meta);
	change_block(1);
	ASSERT_TRUE(run_update(std::nullopt).ok());
	EXPECT_EQ(verify_error(2), "");
	write_file(image, old_image);
	write_file(meta, old_meta);
	EXPECT_NE(verify_error(2).find("image version 1 is below the minimum version 2"),
		  std::string::npos)
		<< verify_error(2);
	EXPECT_EQ(verify_error(1), ""); // a consistent old pair is still valid
}

TEST_F(OpsTest, MetadataOfAnotherImage)
{
	do_format();
	auto mine = run_verify(key->cert_pem);
	ASSERT_TRUE(mine.ok());
	ImageId id = mine->header.image_id;
	// Same size, same key, different data and id.
	std::string image_a = image;
	image = dir / "image_b";
	meta = dir / "meta_b";
	write_file(image, test::random_bytes(kBlocks * kBlock));
	do_format();
	image = image_a; // image A with image B's metadata
	auto r = run_verify(key->cert_pem, 1, id);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("metadata is for image"), std::string::npos);
	EXPECT_EQ(bad_blocks().size(), kBlocks); // without --image-id: every block
}

TEST_F(OpsTest, WrongCertificateNamesBothKeys)
{
	do_format();
	auto r = run_verify(other->cert_pem);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("metadata was signed by key "), std::string::npos);
	EXPECT_NE(r.error().message.find("not by the certificate's key"), std::string::npos);
}

TEST_F(OpsTest, TruncatedMetadataRefused)
{
	do_format();
	auto full = read_file(meta);
	for (size_t len : {size_t{0}, size_t{1}, size_t{255}, size_t{256}, size_t{511},
			   size_t{kBlock}, size_t{2 * kBlock}, full.size() - 1}) {
		write_file(meta, {full.begin(), full.begin() + static_cast<long>(len)});
		EXPECT_NE(verify_error().find("truncated"), std::string::npos)
			<< len << ": " << verify_error();
	}
}

TEST_F(OpsTest, FormatVersion2Refused)
{
	do_format();
	flip(meta, 8, 3); // 1 -> 2
	EXPECT_NE(verify_error().find("unsupported metadata format version 2"), std::string::npos)
		<< verify_error();
}

TEST_F(OpsTest, NonZeroReservedRefused)
{
	do_format();
	flip(meta, 200);
	EXPECT_NE(verify_error().find("reserved"), std::string::npos) << verify_error();
}

TEST_F(OpsTest, HeaderAndMapTamperingRefused)
{
	do_format();
	auto good = read_file(meta);
	flip(meta, 40, 2); // image_version 1 -> 3
	EXPECT_NE(verify_error().find("header signature is invalid"), std::string::npos)
		<< verify_error();
	write_file(meta, good);
	flip(meta, kBlock + 8 * 3);
	EXPECT_NE(verify_error().find("map digest"), std::string::npos) << verify_error();
	write_file(meta, good);
	flip(meta, 256 + 7); // header signature
	EXPECT_NE(verify_error().find("header signature is invalid"), std::string::npos);
}

TEST_F(OpsTest, ImageSizeMismatchRefused)
{
	do_format();
	auto b = read_file(image);
	b.resize(b.size() + kBlock);
	write_file(image, b);
	EXPECT_NE(verify_error().find("does not match the metadata"), std::string::npos)
		<< verify_error();
}

TEST_F(OpsTest, UpdateWithBlockListResignsExactlyThose)
{
	do_format();
	for (uint64_t i : {5, 17, 18, 19, 20})
		change_block(i);
	EXPECT_EQ(bad_blocks(), (std::vector<uint64_t>{5, 17, 18, 19, 20}));
	auto r = run_update("5,17-20");
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(r->resigned, (std::vector<uint64_t>{5, 17, 18, 19, 20}));
	EXPECT_EQ(r->old_version, 1u);
	EXPECT_EQ(r->new_version, 2u);
	EXPECT_TRUE(bad_blocks().empty());
	auto map = version_map();
	for (uint64_t i = 0; i < kBlocks; i++)
		EXPECT_EQ(map[i], (i == 5 || (i >= 17 && i <= 20)) ? 2u : 1u) << i;
}

TEST_F(OpsTest, UpdateDetectsChangedBlocks)
{
	do_format();
	for (uint64_t i : {2, 33, 63})
		change_block(i);
	auto r = run_update(std::nullopt);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(r->resigned, (std::vector<uint64_t>{2, 33, 63}));
	EXPECT_TRUE(bad_blocks().empty());
	change_block(40);
	r = run_update(std::nullopt, 7);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_EQ(r->resigned, (std::vector<uint64_t>{40}));
	EXPECT_EQ(r->new_version, 7u);
	auto map = version_map();
	EXPECT_EQ(map[2], 2u);
	EXPECT_EQ(map[40], 7u);
	EXPECT_EQ(map[41], 1u);
	EXPECT_TRUE(bad_blocks().empty());
	// Nothing changed: nothing re-signed, the version still moves on.
	r = run_update(std::nullopt);
	ASSERT_TRUE(r.ok());
	EXPECT_TRUE(r->resigned.empty());
	EXPECT_EQ(r->new_version, 8u);
}

TEST_F(OpsTest, UpdateRefusals)
{
	do_format(3);
	auto before = read_file(meta);
	auto r = run_update("1", 3);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("must be greater than the current 3"), std::string::npos);
	r = run_update("64");
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("out of range"), std::string::npos);
	r = run_update("1", std::nullopt, other->key_pem);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("not by this private key"), std::string::npos)
		<< r.error().message;
	auto b = read_file(image);
	b.resize(b.size() - kBlock);
	write_file(image, b);
	r = run_update(std::nullopt);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("image size changed"), std::string::npos);
	EXPECT_EQ(read_file(meta), before); // nothing written
}

// An update interrupted while writing META in place (here: half its blocks
// written, as a crash would leave them) is finished by the next update from
// its journal; an incomplete journal means META was never touched.
TEST_F(OpsTest, InterruptedUpdateIsFinishedFromItsJournal)
{
	do_format();
	auto before = read_file(meta);
	// What a complete update of blocks 3 and 40 writes: the update of a copy.
	std::string copy = meta + ".copy";
	write_file(copy, before);
	change_block(3);
	change_block(40);
	UpdateOptions uo;
	uo.image = image;
	uo.meta = copy;
	uo.key = key->key_pem;
	ASSERT_TRUE(update(uo).ok());
	auto after = read_file(copy);
	ASSERT_EQ(after.size(), before.size());
	std::vector<JournalEntry> entries;
	const uint64_t bs = layout().block_size;
	for (uint64_t off = 0; off < after.size(); off += bs)
		if (!std::equal(after.begin() + off, after.begin() + off + bs, before.begin() + off))
			entries.push_back({off, {after.begin() + off, after.begin() + off + bs}});
	ASSERT_GE(entries.size(), 3u); // records, map, header
	// The crash: journal complete, META half written (the new header in
	// place, the records and map still the old ones).
	write_file(journal_path(meta), encode_journal(entries));
	auto half = before;
	std::copy(entries[0].data.begin(), entries[0].data.end(), half.begin() + entries[0].offset);
	write_file(meta, half);
	EXPECT_NE(verify_error(), ""); // the map no longer matches the header

	auto r = run_update(std::nullopt);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_TRUE(r->finished_interrupted);
	EXPECT_EQ(r->old_version, 2u); // the interrupted update's version
	EXPECT_TRUE(r->resigned.empty());
	EXPECT_FALSE(std::filesystem::exists(journal_path(meta)));
	EXPECT_TRUE(bad_blocks().empty());
	auto map = version_map();
	EXPECT_EQ(map[3], 2u);
	EXPECT_EQ(map[40], 2u);
	EXPECT_EQ(map[4], 1u);

	// A journal cut short (the crash came while writing it): dropped, META
	// as it was.
	auto now = read_file(meta);
	auto j = encode_journal(entries);
	j.resize(j.size() - 1);
	write_file(journal_path(meta), j);
	r = run_update(std::nullopt);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_FALSE(r->finished_interrupted);
	EXPECT_FALSE(std::filesystem::exists(journal_path(meta)));
	EXPECT_TRUE(bad_blocks().empty());
	EXPECT_EQ(version_map(), map); // nothing changed since: no block re-signed

	// format replaces the metadata: an old journal must never be replayed
	// into the new one.
	write_file(journal_path(meta), encode_journal(entries));
	do_format();
	EXPECT_FALSE(std::filesystem::exists(journal_path(meta)));
	r = run_update(std::nullopt);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_FALSE(r->finished_interrupted);
	EXPECT_TRUE(bad_blocks().empty());
}

// Two updates at once: the second is refused while the first holds META.
TEST_F(OpsTest, OneUpdateAtATime)
{
	do_format();
	auto held = bulkhead::unique_fd::open(meta, O_RDONLY);
	ASSERT_TRUE(held.ok());
	ASSERT_EQ(flock(held->get(), LOCK_EX), 0);
	auto r = run_update(std::nullopt);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("another blocksig update is running on it"),
		  std::string::npos);
	ASSERT_EQ(flock(held->get(), LOCK_UN), 0);
	EXPECT_TRUE(run_update(std::nullopt).ok());
}

TEST_F(OpsTest, FormatRefusesBadImageSizeAndLeavesNothing)
{
	auto b = test::random_bytes(3 * kBlock + 100);
	write_file(image, b);
	FormatOptions o{image, meta, key->key_pem};
	auto r = format(o);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("not a non-zero multiple of the block size 4096"),
		  std::string::npos)
		<< r.error().message;
	EXPECT_FALSE(std::filesystem::exists(meta));
	EXPECT_FALSE(std::filesystem::exists(meta + ".tmp"));
	write_file(image, {});
	EXPECT_FALSE(format(o).ok());
}

TEST_F(OpsTest, FailedFormatKeepsOldMetadata)
{
	do_format();
	auto before = read_file(meta);
	FormatOptions o{image, meta, dir / "missing.key"};
	EXPECT_FALSE(format(o).ok());
	EXPECT_EQ(read_file(meta), before);
	EXPECT_FALSE(std::filesystem::exists(meta + ".tmp"));
}

TEST(BlockList, Parses)
{
	auto r = parse_block_list("5,17-20,3");
	ASSERT_TRUE(r.ok());
	EXPECT_EQ(*r, (BlockRanges{{5, 5}, {17, 20}, {3, 3}}));
	for (const char *bad : {"", ",", "5,", "a", "3-", "-3", "5-2", "1--2", "1 ,2"})
		EXPECT_FALSE(parse_block_list(bad).ok()) << bad;
}

// sig_size follows the key: 384 bytes for RSA-3072, 512 for RSA-4096,
// including at 1 KiB blocks where only two records fit in a block.
class KeySizeTest : public ::testing::TestWithParam<std::pair<int, uint32_t>> {};

TEST_P(KeySizeTest, RoundTripAndCorruption)
{
	auto [bits, block] = GetParam();
	test::TempDir dir;
	auto k = test::make_key(dir, "k", bits);
	std::string image = dir / "image", meta = dir / "meta";
	const uint64_t n = 37;
	write_file(image, test::random_bytes(n * block));
	FormatOptions o{image, meta, k.key_pem, 1, block};
	auto f = format(o);
	ASSERT_TRUE(f.ok()) << f.error().message;
	EXPECT_EQ(f->header.sig_size, static_cast<uint32_t>(bits / 8));
	VerifyOptions v{image, meta, k.cert_pem};
	auto r = verify(v);
	ASSERT_TRUE(r.ok()) << r.error().message;
	EXPECT_TRUE(r->bad.empty());
	auto l = Layout::compute(block, bits / 8, n);
	ASSERT_TRUE(l.ok());
	EXPECT_EQ(std::filesystem::file_size(meta), l->meta_size);
	auto m = read_file(meta);
	m[l->record_offset(n - 1) + static_cast<uint64_t>(bits / 8) - 1] ^= 1;
	write_file(meta, m);
	auto img = read_file(image);
	img[block * 20] ^= 1;
	write_file(image, img);
	r = verify(v);
	ASSERT_TRUE(r.ok());
	ASSERT_EQ(r->bad.size(), 2u);
	EXPECT_EQ(r->bad[0].index, 20u);
	EXPECT_EQ(r->bad[1].index, n - 1);
	EXPECT_EQ(r->bad[0].reason, "signature mismatch (data or record altered)");
}

INSTANTIATE_TEST_SUITE_P(Keys, KeySizeTest,
			 ::testing::Values(std::pair{2048, 1024u}, std::pair{3072, 1024u},
					   std::pair{3072, 4096u}, std::pair{4096, 1024u},
					   std::pair{4096, 2048u}));


// Independent of crypto.cc and metadata.cc: rebuild what the kernel checks
// from the format description alone, with OpenSSL's one-shot APIs.
namespace spec {

std::vector<uint8_t> sha256(const uint8_t *p, size_t n)
{
	std::vector<uint8_t> d(32);
	EVP_Digest(p, n, d.data(), nullptr, EVP_sha256(), nullptr);
	return d;
}

bool rsa_sha256_verify(EVP_PKEY *pk, const uint8_t *msg, size_t n, const uint8_t *sig,
		       size_t sig_len)
{
	std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
								      EVP_MD_CTX_free);
	EVP_PKEY_CTX *pctx = nullptr;
	return EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, pk) == 1 &&
	       EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
	       EVP_DigestVerify(ctx.get(), sig, sig_len, msg, n) == 1;
}

void put_le(std::vector<uint8_t> &v, uint64_t x, int bytes)
{
	for (int i = 0; i < bytes; i++)
		v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

uint64_t get_le(const std::vector<uint8_t> &v, size_t off, int bytes)
{
	uint64_t x = 0;
	for (int i = bytes - 1; i >= 0; i--)
		x = x << 8 | v[off + static_cast<size_t>(i)];
	return x;
}

} // namespace spec

TEST_F(OpsTest, OnDiskFormatMatchesTheSpec)
{
	do_format(3);
	change_block(21);
	ASSERT_TRUE(run_update("21").ok()); // version 4 for block 21 only
	auto m = read_file(meta), img = read_file(image);

	FILE *f = fopen(key->cert_pem.c_str(), "r");
	ASSERT_NE(f, nullptr);
	X509 *cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
	fclose(f);
	ASSERT_NE(cert, nullptr);
	EVP_PKEY *pk = X509_get0_pubkey(cert);

	EXPECT_EQ(std::string(m.begin(), m.begin() + 8), "BLOCKSIG");
	EXPECT_EQ(spec::get_le(m, 8, 4), 1u);	     // format_version
	EXPECT_EQ(spec::get_le(m, 12, 4), 256u);     // header_size
	EXPECT_EQ(spec::get_le(m, 16, 4), kBlock);   // data_block_size
	EXPECT_EQ(spec::get_le(m, 20, 4), 1u);	     // sig_algo
	EXPECT_EQ(spec::get_le(m, 24, 4), 256u);     // sig_size
	EXPECT_EQ(spec::get_le(m, 32, 8), kBlocks);  // data_blocks
	EXPECT_EQ(spec::get_le(m, 40, 8), 4u);	     // image_version
	EXPECT_EQ(spec::get_le(m, 64, 8), kBlock);   // map_offset
	EXPECT_EQ(spec::get_le(m, 72, 8), 2 * kBlock); // records_offset: 1 map block
	EXPECT_EQ(m.size(), (2 + 4) * kBlock);	     // 16 records per block

	// key_id = SHA-256(SubjectPublicKeyInfo DER)
	unsigned char *der = nullptr;
	int der_len = i2d_PUBKEY(pk, &der);
	ASSERT_GT(der_len, 0);
	EXPECT_EQ(spec::sha256(der, static_cast<size_t>(der_len)),
		  std::vector<uint8_t>(m.begin() + 112, m.begin() + 144));
	OPENSSL_free(der);

	// Header signature over the 256 header bytes; rest of block 0 zero.
	EXPECT_TRUE(spec::rsa_sha256_verify(pk, m.data(), 256, m.data() + 256, 256));
	EXPECT_TRUE(std::all_of(m.begin() + 512, m.begin() + kBlock, [](uint8_t b) { return !b; }));

	// map_digest = SHA-256 of exactly data_blocks * 8 bytes of the map.
	EXPECT_EQ(spec::sha256(m.data() + kBlock, kBlocks * 8),
		  std::vector<uint8_t>(m.begin() + 80, m.begin() + 112));
	for (uint64_t i = 0; i < kBlocks; i++)
		EXPECT_EQ(spec::get_le(m, kBlock + i * 8, 8), i == 21 ? 4u : 3u);

	// Block i's record: RSA-PKCS1-SHA256 over the 80-byte statement.
	for (uint64_t i : {uint64_t{0}, uint64_t{15}, uint64_t{16}, uint64_t{21}, kBlocks - 1}) {
		std::vector<uint8_t> stmt = {'B', 'S', 'I', 'G', 'D', 'A', 'T', 'A'};
		stmt.insert(stmt.end(), m.begin() + 48, m.begin() + 64); // image_id
		spec::put_le(stmt, i, 8);
		spec::put_le(stmt, i == 21 ? 4 : 3, 8);
		spec::put_le(stmt, kBlock, 4);
		spec::put_le(stmt, 0, 4);
		auto d = spec::sha256(img.data() + i * kBlock, kBlock);
		stmt.insert(stmt.end(), d.begin(), d.end());
		ASSERT_EQ(stmt.size(), 80u);
		size_t rec = 2 * kBlock + (i / 16) * kBlock + (i % 16) * 256;
		EXPECT_TRUE(spec::rsa_sha256_verify(pk, stmt.data(), 80, m.data() + rec, 256)) << i;
	}
	X509_free(cert);
}

} // namespace
} // namespace blocksig
