// SPDX-License-Identifier: GPL-2.0-only
// The narrow crypto interface of blocksig over OpenSSL 3: SHA-256, and
// RSA PKCS#1 v1.5 signatures over SHA-256 digests. Keys are loaded once and
// shared read-only between threads; each thread makes its own context.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bulkhead/result.h"

struct evp_pkey_st;
struct evp_pkey_ctx_st;

namespace blocksig {

using Digest = std::array<uint8_t, 32>;

Digest sha256(std::span<const uint8_t> data);

struct PkeyFree {
	void operator()(evp_pkey_st *k) const;
};
struct PkeyCtxFree {
	void operator()(evp_pkey_ctx_st *c) const;
};
using PkeyPtr = std::unique_ptr<evp_pkey_st, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<evp_pkey_ctx_st, PkeyCtxFree>;

// Signs SHA-256 digests; one per thread.
class SignContext {
public:
	// out.size() must equal the key's signature size.
	bulkhead::Result<void> sign(const Digest &digest, std::span<uint8_t> out);

private:
	friend class PrivateKey;
	explicit SignContext(PkeyCtxPtr ctx) : ctx_(std::move(ctx)) {}
	PkeyCtxPtr ctx_;
};

// Verifies signatures over SHA-256 digests; one per thread.
class VerifyContext {
public:
	bool verify(const Digest &digest, std::span<const uint8_t> sig);

private:
	friend class PublicKey;
	friend class PrivateKey;
	explicit VerifyContext(PkeyCtxPtr ctx) : ctx_(std::move(ctx)) {}
	PkeyCtxPtr ctx_;
};

// An RSA public key (2048..4096 bits) from an X.509 certificate.
class PublicKey {
public:
	// PEM or DER certificate; the error names the file and the problem.
	static bulkhead::Result<PublicKey> load_certificate(const std::string &path);

	const Digest &key_id() const { return key_id_; }
	uint32_t sig_size() const { return sig_size_; }
	// The certificate as DER (what the kernel's asymmetric key type takes).
	const std::vector<uint8_t> &cert_der() const { return cert_der_; }
	bulkhead::Result<VerifyContext> make_context() const;

private:
	PkeyPtr pkey_;
	Digest key_id_{};
	uint32_t sig_size_ = 0;
	std::vector<uint8_t> cert_der_;
};

// An RSA private key (2048..4096 bits) from a PEM file.
class PrivateKey {
public:
	static bulkhead::Result<PrivateKey> load_pem(const std::string &path);

	// SHA-256 of the public key as DER SubjectPublicKeyInfo.
	const Digest &key_id() const { return key_id_; }
	uint32_t sig_size() const { return sig_size_; }
	bulkhead::Result<SignContext> make_sign_context() const;
	bulkhead::Result<VerifyContext> make_verify_context() const;

private:
	PkeyPtr pkey_;
	Digest key_id_{};
	uint32_t sig_size_ = 0;
};

// The last OpenSSL error as one line ("" if none); clears the queue.
std::string openssl_error();

} // namespace blocksig
