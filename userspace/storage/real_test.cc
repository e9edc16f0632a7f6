// SPDX-License-Identifier: GPL-2.0-only
// LibCryptsetup::check_luks2 on real LUKS2 headers in files (libcryptsetup,
// no device-mapper): the header a storage domain serves must be the one
// format_luks2 makes.
#include "real.h"

#include <gtest/gtest.h>
#include <libcryptsetup.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "secret.h"

namespace storage {
namespace {

struct Luks2Check : ::testing::Test {
	std::filesystem::path dir;
	void SetUp() override
	{
		char tmpl[] = "/tmp/bulkhead-luks2-XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir = tmpl;
	}
	void TearDown() override { std::filesystem::remove_all(dir); }
	std::string volume(const std::string &name)
	{
		auto p = dir / name;
		std::ofstream(p).close();
		std::filesystem::resize_file(p, 8 << 20);
		return p;
	}
	// A header with the same 64-byte key but other parameters, as a
	// storage domain could write (it keeps the digest of the real key).
	std::string other(const std::string &name, const char *cipher, const char *mode,
			  uint32_t sector, size_t key_bytes = 64)
	{
		auto p = volume(name);
		crypt_device *cd = nullptr;
		EXPECT_EQ(crypt_init(&cd, p.c_str()), 0);
		crypt_params_luks2 lp{};
		lp.sector_size = sector;
		std::string key(key_bytes, 'k');
		int r = crypt_format(cd, CRYPT_LUKS2, cipher, mode, nullptr, key.data(), key.size(), &lp);
		crypt_free(cd);
		EXPECT_EQ(r, 0) << cipher << "-" << mode;
		return p;
	}
	// What a storage domain can do to a header without the key: edit
	// both JSON copies and recompute their SHA-256 checksums (LUKS2's
	// binary header: size at byte 8, big-endian; checksum at byte 448).
	static void rewrite_json(const std::string &path, const std::string &from,
				 const std::string &to)
	{
		ASSERT_EQ(from.size(), to.size());
		std::ifstream in(path, std::ios::binary);
		std::vector<unsigned char> b((std::istreambuf_iterator<char>(in)), {});
		in.close();
		uint64_t hdr_size = 0;
		for (int i = 8; i < 16; i++)
			hdr_size = hdr_size << 8 | b[i];
		ASSERT_GE(b.size(), 2 * hdr_size);
		for (uint64_t base : {uint64_t{0}, hdr_size}) {
			auto first = b.begin() + base + 4096, last = b.begin() + base + hdr_size;
			auto at = std::search(first, last, from.begin(), from.end());
			ASSERT_NE(at, last) << from;
			std::copy(to.begin(), to.end(), at);
			std::fill_n(b.begin() + base + 448, 64, 0);
			unsigned char md[32];
			unsigned int n = 0;
			ASSERT_EQ(EVP_Digest(b.data() + base, hdr_size, md, &n, EVP_sha256(), nullptr), 1);
			std::copy(md, md + 32, b.begin() + base + 448);
		}
		std::ofstream(path, std::ios::binary).write(reinterpret_cast<char *>(b.data()), b.size());
	}
};

TEST_F(Luks2Check, AcceptsWhatFormatLuks2Makes)
{
	auto p = volume("ok.img");
	auto key = random_secret(64);
	ASSERT_TRUE(key.ok());
	ASSERT_TRUE(LibCryptsetup().format_luks2(p, *key).ok());
	auto r = LibCryptsetup::check_luks2(p);
	EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST_F(Luks2Check, RefusesAnotherCipher)
{
	// dom0's header with its key digest kept and the segment downgraded.
	auto p = volume("null.img");
	auto key = random_secret(64);
	ASSERT_TRUE(key.ok());
	ASSERT_TRUE(LibCryptsetup().format_luks2(p, *key).ok());
	rewrite_json(p, "\"encryption\":\"aes-xts-plain64\"", "\"encryption\":\"cipher_null-ecb\"");
	auto r = LibCryptsetup::check_luks2(p);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("names cipher cipher_null-ecb, not aes-xts-plain64"),
		  std::string::npos)
		<< r.error().message;
	r = LibCryptsetup::check_luks2(other("plain.img", "aes", "xts-plain", 4096));
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("names cipher aes-xts-plain,"), std::string::npos);
	r = LibCryptsetup::check_luks2(other("cbc.img", "aes", "cbc-essiv:sha256", 4096, 32));
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("refusing it, nothing was written"), std::string::npos);
}

TEST_F(Luks2Check, RefusesOtherSectorsAndDataOffset)
{
	auto r = LibCryptsetup::check_luks2(other("s512.img", "aes", "xts-plain64", 512));
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("has 512-byte sectors, not 4096"), std::string::npos)
		<< r.error().message;
	// cryptsetup's default layout: data at 16 MiB, not where dom0 put it.
	auto p = volume("big.img");
	std::filesystem::resize_file(p, 32 << 20);
	crypt_device *cd = nullptr;
	ASSERT_EQ(crypt_init(&cd, p.c_str()), 0);
	crypt_params_luks2 lp{};
	lp.sector_size = 4096;
	std::string key(64, 'k');
	ASSERT_EQ(crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", nullptr, key.data(), 64, &lp), 0);
	crypt_free(cd);
	r = LibCryptsetup::check_luks2(p);
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("puts the data at sector 32768, not 2048"),
		  std::string::npos)
		<< r.error().message;
}

TEST_F(Luks2Check, RefusesANonLuks2File)
{
	auto r = LibCryptsetup::check_luks2(volume("zero.img"));
	ASSERT_FALSE(r.ok());
	EXPECT_NE(r.error().message.find("is not a LUKS2 volume"), std::string::npos);
}

} // namespace
} // namespace storage
