// SPDX-License-Identifier: GPL-2.0-only
// Test helpers: temporary directories, RSA keys and certificates made with
// OpenSSL at test time, and file byte helpers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace blocksig::test {

class TempDir {
public:
	TempDir();
	~TempDir();
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;
	const std::string &path() const { return path_; }
	std::string operator/(const std::string &name) const { return path_ + "/" + name; }

private:
	std::string path_;
};

struct TestKey {
	std::string key_pem, cert_pem, cert_der;
};

// A fresh RSA key of `bits` with a self-signed certificate, written as
// <dir>/<name>.key (PEM), <name>.crt (PEM) and <name>.der.
TestKey make_key(const TempDir &dir, const std::string &name, int bits);

std::vector<uint8_t> random_bytes(size_t n);
std::vector<uint8_t> read_file(const std::string &path);
void write_file(const std::string &path, const std::vector<uint8_t> &bytes);

} // namespace blocksig::test
