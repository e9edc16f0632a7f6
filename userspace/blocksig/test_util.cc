// SPDX-License-Identifier: GPL-2.0-only
#include "test_util.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdexcept>

namespace blocksig::test {

TempDir::TempDir()
{
	std::string tmpl = std::filesystem::temp_directory_path() / "blocksig-test-XXXXXX";
	if (!mkdtemp(tmpl.data()))
		throw std::runtime_error("mkdtemp failed");
	path_ = tmpl;
}

TempDir::~TempDir()
{
	std::error_code ec;
	std::filesystem::remove_all(path_, ec);
}

namespace {

void check(bool ok, const char *what)
{
	if (!ok)
		throw std::runtime_error(what);
}

struct FileCloser {
	void operator()(FILE *f) const { fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

FilePtr open_w(const std::string &path)
{
	FilePtr f(fopen(path.c_str(), "wb"));
	check(f != nullptr, "fopen");
	return f;
}

} // namespace

TestKey make_key(const TempDir &dir, const std::string &name, int bits)
{
	std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
		EVP_RSA_gen(static_cast<unsigned>(bits)), EVP_PKEY_free);
	check(pkey != nullptr, "EVP_RSA_gen");
	std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
	check(cert != nullptr, "X509_new");
	X509_set_version(cert.get(), 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
	X509_set_pubkey(cert.get(), pkey.get());
	X509_NAME *n = X509_get_subject_name(cert.get());
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   reinterpret_cast<const unsigned char *>("blocksig test"), -1, -1,
				   0);
	X509_set_issuer_name(cert.get(), n);
	check(X509_sign(cert.get(), pkey.get(), EVP_sha256()) > 0, "X509_sign");

	TestKey k{dir / (name + ".key"), dir / (name + ".crt"), dir / (name + ".der")};
	check(PEM_write_PrivateKey(open_w(k.key_pem).get(), pkey.get(), nullptr, nullptr, 0,
				   nullptr, nullptr) == 1,
	      "PEM_write_PrivateKey");
	check(PEM_write_X509(open_w(k.cert_pem).get(), cert.get()) == 1, "PEM_write_X509");
	check(i2d_X509_fp(open_w(k.cert_der).get(), cert.get()) == 1, "i2d_X509_fp");
	return k;
}

std::vector<uint8_t> random_bytes(size_t n)
{
	std::vector<uint8_t> v(n);
	check(RAND_bytes(v.data(), static_cast<int>(n)) == 1, "RAND_bytes");
	return v;
}

std::vector<uint8_t> read_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string &path, const std::vector<uint8_t> &bytes)
{
	std::ofstream out(path, std::ios::binary | std::ios::trunc);
	out.write(reinterpret_cast<const char *>(bytes.data()),
		  static_cast<std::streamsize>(bytes.size()));
}

} // namespace blocksig::test
