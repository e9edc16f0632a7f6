// SPDX-License-Identifier: GPL-2.0-only
#include "crypto.h"

#include <cstdio>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "uapi/blocksig_format.h"

using bulkhead::err;
using bulkhead::Error;
using bulkhead::Result;

namespace blocksig {
namespace {

struct BioFree {
	void operator()(BIO *b) const { BIO_free(b); }
};
struct X509Free {
	void operator()(X509 *x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// Checks the key is RSA of a supported size and returns its signature size.
Result<uint32_t> check_rsa(EVP_PKEY *pkey)
{
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
		return err("not an RSA key (blocksig signs with RSA PKCS#1 v1.5 and SHA-256)");
	int bits = EVP_PKEY_get_bits(pkey);
	if (bits < 2048 || bits > 4096)
		return err("RSA key of " + std::to_string(bits) +
			   " bits is not supported (2048..4096)");
	int size = EVP_PKEY_get_size(pkey);
	if (size < BLOCKSIG_MIN_SIG_SIZE || size > BLOCKSIG_MAX_SIG_SIZE)
		return err("RSA signature size " + std::to_string(size) + " is not supported");
	return static_cast<uint32_t>(size);
}

Result<Digest> spki_id(EVP_PKEY *pkey)
{
	unsigned char *der = nullptr;
	int len = i2d_PUBKEY(pkey, &der);
	if (len <= 0)
		return err("cannot encode public key: " + openssl_error());
	Digest d = sha256({der, static_cast<size_t>(len)});
	OPENSSL_free(der);
	return d;
}

Result<PkeyCtxPtr> make_ctx(EVP_PKEY *pkey, bool sign)
{
	PkeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey, nullptr));
	if (!ctx)
		return err("EVP_PKEY_CTX_new: " + openssl_error());
	if ((sign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) <= 0)
		return err("cannot set up RSA PKCS#1 SHA-256: " + openssl_error());
	return ctx;
}

// Never prompt on the terminal for a passphrase: encrypted keys are refused.
int no_passphrase(char *, int, int, void *) { return 0; }

Result<BioPtr> open_bio(const std::string &path)
{
	BioPtr bio(BIO_new_file(path.c_str(), "rb"));
	if (!bio)
		return Error::from_errno(path, errno);
	return bio;
}

} // namespace

void PkeyFree::operator()(evp_pkey_st *k) const { EVP_PKEY_free(k); }
void PkeyCtxFree::operator()(evp_pkey_ctx_st *c) const { EVP_PKEY_CTX_free(c); }

std::string openssl_error()
{
	unsigned long e = ERR_get_error();
	unsigned long last = e;
	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last == 0)
		return "unknown OpenSSL error";
	char buf[256];
	ERR_error_string_n(last, buf, sizeof(buf));
	return buf;
}

Digest sha256(std::span<const uint8_t> data)
{
	Digest d;
	unsigned int len = 0;
	// EVP_Digest with the default provider cannot fail for SHA-256 short of
	// memory exhaustion; treat that as fatal rather than return a bad digest.
	if (EVP_Digest(data.data(), data.size(), d.data(), &len, EVP_sha256(), nullptr) != 1 ||
	    len != d.size())
		abort();
	return d;
}

Result<void> SignContext::sign(const Digest &digest, std::span<uint8_t> out)
{
	size_t len = out.size();
	if (EVP_PKEY_sign(ctx_.get(), out.data(), &len, digest.data(), digest.size()) <= 0)
		return err("RSA signing failed: " + openssl_error());
	if (len != out.size())
		return err("RSA signature has unexpected size " + std::to_string(len));
	return {};
}

bool VerifyContext::verify(const Digest &digest, std::span<const uint8_t> sig)
{
	int r = EVP_PKEY_verify(ctx_.get(), sig.data(), sig.size(), digest.data(), digest.size());
	if (r != 1)
		ERR_clear_error();
	return r == 1;
}

Result<PublicKey> PublicKey::load_certificate(const std::string &path)
{
	TRY_ASSIGN(auto bio, open_bio(path));
	X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
	if (!cert) {
		ERR_clear_error();
		if (BIO_reset(bio.get()) != 0)
			return err(path + ": cannot rewind");
		cert.reset(d2i_X509_bio(bio.get(), nullptr));
	}
	if (!cert) {
		ERR_clear_error();
		return err(path + ": not an X.509 certificate (PEM or DER)");
	}
	PublicKey k;
	k.pkey_.reset(X509_get_pubkey(cert.get()));
	if (!k.pkey_)
		return err(path + ": cannot read the certificate's public key: " + openssl_error());
	auto size = check_rsa(k.pkey_.get());
	if (!size)
		return size.error().context(path);
	k.sig_size_ = *size;
	TRY_ASSIGN(k.key_id_, spki_id(k.pkey_.get()));
	unsigned char *der = nullptr;
	int len = i2d_X509(cert.get(), &der);
	if (len <= 0)
		return err(path + ": cannot encode certificate: " + openssl_error());
	k.cert_der_.assign(der, der + len);
	OPENSSL_free(der);
	return k;
}

Result<VerifyContext> PublicKey::make_context() const
{
	TRY_ASSIGN(auto ctx, make_ctx(pkey_.get(), false));
	return VerifyContext(std::move(ctx));
}

Result<PrivateKey> PrivateKey::load_pem(const std::string &path)
{
	TRY_ASSIGN(auto bio, open_bio(path));
	PrivateKey k;
	k.pkey_.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
	if (!k.pkey_) {
		ERR_clear_error();
		return err(path + ": not a PEM private key (or it is encrypted)");
	}
	auto size = check_rsa(k.pkey_.get());
	if (!size)
		return size.error().context(path);
	k.sig_size_ = *size;
	TRY_ASSIGN(k.key_id_, spki_id(k.pkey_.get()));
	return k;
}

Result<SignContext> PrivateKey::make_sign_context() const
{
	TRY_ASSIGN(auto ctx, make_ctx(pkey_.get(), true));
	return SignContext(std::move(ctx));
}

Result<VerifyContext> PrivateKey::make_verify_context() const
{
	TRY_ASSIGN(auto ctx, make_ctx(pkey_.get(), false));
	return VerifyContext(std::move(ctx));
}

} // namespace blocksig
