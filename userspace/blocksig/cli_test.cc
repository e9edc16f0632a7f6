// SPDX-License-Identifier: GPL-2.0-only
// The blocksig binary: exit codes, one-line errors, output shape.
#include <array>
#include <cstdio>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "test_util.h"

namespace blocksig {
namespace {

struct Run {
	int status;
	std::string out, err;
};

Run run(const test::TempDir &dir, const std::string &args)
{
	std::string err_path = dir / "stderr";
	std::string cmd = std::string(BLOCKSIG_BIN) + " " + args + " 2>" + err_path;
	Run r{};
	FILE *p = popen(cmd.c_str(), "r");
	if (!p)
		return {-1, "", "popen failed"};
	std::array<char, 4096> buf;
	size_t n;
	while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
		r.out.append(buf.data(), n);
	int st = pclose(p);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	auto e = test::read_file(err_path);
	r.err.assign(e.begin(), e.end());
	return r;
}

size_t lines(const std::string &s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(Cli, UsageErrorsExit2)
{
	test::TempDir dir;
	for (const char *args : {"", "--help", "bogus", "format a", "format a b",
				 "format a b --key k --block-size 3000", "verify a b --cert",
				 "verify a b --cert c --min-version x", "open a b c",
				 "open a b n/m --cert c", "update a b --key k --blocks 3-1",
				 "format a b --key k --image-id 00", "close", "status a b",
				 "open a b c --cert d --panic-on-corruption --ignore-corruption",
				 "open a b c --cert d --cache-entries 4194305"}) {
		auto r = run(dir, args);
		EXPECT_EQ(r.status, 2) << args << ": " << r.err;
		EXPECT_NE(r.err.find("usage:"), std::string::npos) << args;
	}
}

TEST(Cli, FormatVerifyAndOneLineErrors)
{
	test::TempDir dir;
	auto k = test::make_key(dir, "k", 2048);
	std::string image = dir / "img", meta = dir / "meta";
	test::write_file(image, test::random_bytes(16 * 1024));
	auto r = run(dir, "format " + image + " " + meta + " --key " + k.key_pem +
				  " --block-size 1024 --image-version 5 --threads 2");
	ASSERT_EQ(r.status, 0) << r.err;
	EXPECT_NE(r.out.find("image version:  5"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("data blocks:    16"), std::string::npos) << r.out;

	r = run(dir, "verify " + image + " " + meta + " --cert " + k.cert_der);
	EXPECT_EQ(r.status, 0) << r.err;
	EXPECT_NE(r.out.find("16 blocks checked: 16 good, 0 bad"), std::string::npos) << r.out;

	auto b = test::read_file(image);
	b[3 * 1024 + 1] ^= 4;
	test::write_file(image, b);
	r = run(dir, "verify " + image + " " + meta + " --cert " + k.cert_pem);
	EXPECT_EQ(r.status, 3);
	EXPECT_NE(r.out.find("block 3: signature mismatch (data or record altered)\n"),
		  std::string::npos)
		<< r.out;
	EXPECT_EQ(lines(r.err), 1u) << r.err;

	r = run(dir, "verify " + image + " " + meta + " --cert " + k.cert_pem +
			     " --min-version 6");
	EXPECT_EQ(r.status, 1);
	EXPECT_EQ(lines(r.err), 1u) << r.err;
	EXPECT_NE(r.err.find("below the minimum version 6"), std::string::npos) << r.err;

	r = run(dir, "update " + image + " " + meta + " --key " + k.key_pem);
	EXPECT_EQ(r.status, 0) << r.err;
	EXPECT_NE(r.out.find("re-signed 1 blocks; image version 5 -> 6"), std::string::npos);

	r = run(dir, "verify " + image + " " + dir / "missing" + " --cert " + k.cert_pem);
	EXPECT_EQ(r.status, 1);
	EXPECT_EQ(lines(r.err), 1u) << r.err;

	r = run(dir, "format " + image + " " + meta + " --key " + k.cert_pem);
	EXPECT_EQ(r.status, 1);
	EXPECT_EQ(lines(r.err), 1u) << r.err;
	EXPECT_NE(r.err.find("not a PEM private key"), std::string::npos) << r.err;
}

TEST(Cli, OpenChecksMetadataBeforeTheKernel)
{
	test::TempDir dir;
	auto k = test::make_key(dir, "k", 2048);
	auto other = test::make_key(dir, "o", 2048);
	std::string image = dir / "img", meta = dir / "meta";
	test::write_file(image, test::random_bytes(8 * 4096));
	ASSERT_EQ(run(dir, "format " + image + " " + meta + " --key " + k.key_pem).status, 0);
	auto r = run(dir, "open " + image + " " + meta + " bs --cert " + other.cert_pem);
	EXPECT_EQ(r.status, 1);
	EXPECT_EQ(lines(r.err), 1u) << r.err;
	if (geteuid() != 0)
		EXPECT_NE(r.err.find("needs root"), std::string::npos) << r.err;
	else
		EXPECT_NE(r.err.find("metadata was signed by key"), std::string::npos) << r.err;
}

} // namespace
} // namespace blocksig
