// SPDX-License-Identifier: GPL-2.0-only
#include "ops.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <set>
#include <optional>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "bulkhead/hex.h"
#include "bulkhead/mapping.h"
#include "bulkhead/unique_fd.h"

using bulkhead::err;
using bulkhead::Error;
using bulkhead::Mapping;
using bulkhead::Result;
using bulkhead::unique_fd;

namespace blocksig {
namespace {

std::string num(uint64_t v) { return std::to_string(v); }
std::string hex(std::span<const uint8_t> s) { return bulkhead::to_hex(s); }

// A file or block device opened for reading (and optionally writing), with
// its contents mapped read-only.
struct OpenFile {
	unique_fd fd;
	Mapping map;
	uint64_t size = 0;

	std::span<const uint8_t> bytes() const
	{
		return {static_cast<const uint8_t *>(map.data()), map.size()};
	}

	static Result<OpenFile> open(const std::string &path, int flags)
	{
		OpenFile f;
		TRY_ASSIGN(f.fd, unique_fd::open(path, flags));
		struct stat st;
		if (fstat(f.fd.get(), &st) != 0)
			return Error::from_errno(path, errno);
		if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
			return err(path + ": not a regular file or block device");
		off_t end = lseek(f.fd.get(), 0, SEEK_END);
		if (end < 0)
			return Error::from_errno(path, errno);
		f.size = static_cast<uint64_t>(end);
		if (f.size > 0) {
			auto m = Mapping::map_fd(f.fd, f.size, PROT_READ, MAP_SHARED);
			if (!m)
				return m.error().context(path);
			f.map = std::move(*m);
		}
		return f;
	}
};

Result<void> pwrite_all(const unique_fd &fd, std::span<const uint8_t> buf, uint64_t off,
			const std::string &path)
{
	while (!buf.empty()) {
		ssize_t n = pwrite(fd.get(), buf.data(), buf.size(), static_cast<off_t>(off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return Error::from_errno(path + ": write", errno);
		if (n == 0)
			return err(path + ": write: no progress");
		buf = buf.subspan(static_cast<size_t>(n));
		off += static_cast<uint64_t>(n);
	}
	return {};
}

Result<void> fsync_path(const unique_fd &fd, const std::string &path)
{
	if (fsync(fd.get()) != 0)
		return Error::from_errno(path + ": fsync", errno);
	return {};
}

unsigned thread_count(unsigned requested)
{
	if (requested)
		return requested;
	unsigned hw = std::thread::hardware_concurrency();
	return hw ? hw : 1;
}

// Runs body(state, begin, end) over [0, n) in chunks on up to `threads`
// threads, each with its own state from make_state(). Stops at the first
// error and returns it.
template <typename MakeState, typename Body>
Result<void> parallel_for(uint64_t n, uint64_t chunk, unsigned threads, MakeState make_state,
			  Body body)
{
	const uint64_t chunks = (n + chunk - 1) / chunk;
	const unsigned workers =
		static_cast<unsigned>(std::min<uint64_t>(thread_count(threads), chunks));
	std::atomic<uint64_t> next{0};
	std::atomic<bool> stop{false};
	std::mutex mu; // protects first_error
	std::optional<Error> first_error;
	auto fail = [&](const Error &e) {
		std::lock_guard<std::mutex> l(mu);
		if (!first_error)
			first_error = e;
		stop = true;
	};
	auto work = [&]() {
		auto state = make_state();
		if (!state) {
			fail(state.error());
			return;
		}
		while (!stop) {
			uint64_t c = next.fetch_add(1);
			if (c >= chunks)
				return;
			uint64_t begin = c * chunk, end = std::min(n, begin + chunk);
			auto r = body(*state, begin, end);
			if (!r) {
				fail(r.error());
				return;
			}
		}
	};
	std::vector<std::thread> pool;
	for (unsigned i = 1; i < workers; i++)
		pool.emplace_back(work);
	work();
	for (auto &t : pool)
		t.join();
	if (first_error)
		return *first_error;
	return {};
}

Digest stmt_digest(const Header &h, uint64_t index, uint64_t version,
		   std::span<const uint8_t> data)
{
	return sha256(block_stmt(h.image_id, index, version, h.block_size, sha256(data)));
}

std::span<const uint8_t> data_block(const OpenFile &image, const Layout &l, uint64_t i)
{
	return image.bytes().subspan(i * l.block_size, l.block_size);
}

struct Trusted {
	Metadata meta;
	std::vector<uint64_t> map;
};

// Checks untrusted metadata against a key: structure, key id, header
// signature, image id, minimum version, then the version map.
Result<Trusted> load_trusted(std::span<const uint8_t> bytes, const Digest &key_id,
			     uint32_t sig_size, VerifyContext &ctx, const char *whose,
			     uint64_t min_version, const std::optional<ImageId> &image_id)
{
	Trusted t;
	TRY_ASSIGN(t.meta, parse_metadata(bytes));
	const Header &h = t.meta.header;
	if (h.key_id != key_id)
		return err("metadata was signed by key " + hex(h.key_id) + ", not by " + whose +
			   " key " + hex(key_id));
	if (h.sig_size != sig_size)
		return err("metadata signature size " + num(h.sig_size) + " does not match " +
			   whose + " key (" + num(sig_size) + ")");
	if (!ctx.verify(sha256(t.meta.header_bytes), t.meta.header_sig))
		return err("header signature is invalid (metadata header altered)");
	if (image_id && *image_id != h.image_id)
		return err("metadata is for image " + hex(h.image_id) + ", not " + hex(*image_id));
	if (h.image_version < min_version)
		return err("metadata image version " + num(h.image_version) +
			   " is below the minimum version " + num(min_version) +
			   " (rollback refused)");
	TRY_ASSIGN(t.map, parse_map(t.meta));
	return t;
}

Result<void> check_image_size(const OpenFile &image, const std::string &path, const Layout &l)
{
	if (image.size != l.data_size())
		return err(path + ": image size " + num(image.size) +
			   " bytes does not match the metadata (" + num(l.data_blocks) +
			   " blocks of " + num(l.block_size) + " = " + num(l.data_size()) + " bytes)");
	return {};
}

Result<ImageId> random_image_id()
{
	ImageId id;
	size_t got = 0;
	while (got < id.size()) {
		ssize_t n = getrandom(id.data() + got, id.size() - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return Error::from_errno("getrandom", errno);
		got += static_cast<size_t>(n);
	}
	return id;
}

// Block 0 as written: header, signature, zeros.
Result<std::vector<uint8_t>> signed_block0(const Header &h, const PrivateKey &key)
{
	TRY_ASSIGN(auto ctx, key.make_sign_context());
	std::vector<uint8_t> block(h.block_size, 0);
	HeaderBytes hb = h.encode();
	std::copy(hb.begin(), hb.end(), block.begin());
	TRY(ctx.sign(sha256(hb), std::span(block).subspan(BLOCKSIG_HEADER_SIG_OFFSET, h.sig_size)));
	return block;
}

// Unlinks a temporary file unless committed.
class TempFile {
public:
	explicit TempFile(std::string path) : path_(std::move(path)) {}
	~TempFile()
	{
		if (!committed_)
			unlink(path_.c_str());
	}
	TempFile(const TempFile &) = delete;
	TempFile &operator=(const TempFile &) = delete;
	void commit() { committed_ = true; }

private:
	std::string path_;
	bool committed_ = false;
};

std::string dir_of(const std::string &path)
{
	auto slash = path.rfind('/');
	if (slash == std::string::npos)
		return ".";
	return slash == 0 ? "/" : path.substr(0, slash);
}

// ---- update's journal --------------------------------------------------------
// An update of a metadata file first writes every block it will change, with
// its offset, to META.journal ("BSJ1", entry count, entries of offset +
// length + bytes, all little-endian, then the SHA-256 of everything before
// it), fsyncs it, writes the blocks in place and removes the journal. The
// next update finishes an update interrupted while writing in place by
// replaying a complete journal; an incomplete one (interrupted while writing
// the journal) means META was never touched, and is dropped.

constexpr uint8_t kJournalMagic[4] = {'B', 'S', 'J', '1'};

} // namespace

std::string journal_path(const std::string &meta) { return meta + ".journal"; }

std::vector<uint8_t> encode_journal(const std::vector<JournalEntry> &entries)
{
	std::vector<uint8_t> out(kJournalMagic, kJournalMagic + 4);
	auto put = [&](uint64_t v, int bytes) {
		for (int i = 0; i < bytes; i++)
			out.push_back(static_cast<uint8_t>(v >> (8 * i)));
	};
	put(entries.size(), 4);
	for (const auto &e : entries) {
		put(e.offset, 8);
		put(e.data.size(), 4);
		out.insert(out.end(), e.data.begin(), e.data.end());
	}
	Digest d = sha256(out);
	out.insert(out.end(), d.begin(), d.end());
	return out;
}

namespace {

// nullopt: not a complete journal for a metadata file of META_SIZE bytes.
std::optional<std::vector<JournalEntry>> decode_journal(std::span<const uint8_t> b,
							 uint64_t meta_size)
{
	if (b.size() < 4 + 4 + 32 || !std::equal(kJournalMagic, kJournalMagic + 4, b.begin()))
		return std::nullopt;
	auto body = b.first(b.size() - 32);
	Digest d = sha256(body);
	if (!std::equal(d.begin(), d.end(), b.end() - 32))
		return std::nullopt;
	size_t p = 4;
	auto get = [&](int bytes) -> std::optional<uint64_t> {
		if (body.size() - p < size_t(bytes))
			return std::nullopt;
		uint64_t v = 0;
		for (int i = 0; i < bytes; i++)
			v |= uint64_t(body[p + i]) << (8 * i);
		p += bytes;
		return v;
	};
	auto n = get(4);
	if (!n)
		return std::nullopt;
	std::vector<JournalEntry> out;
	for (uint64_t i = 0; i < *n; i++) {
		auto off = get(8), len = get(4);
		if (!off || !len || *len > body.size() - p || *off > meta_size ||
		    *len > meta_size - *off)
			return std::nullopt;
		out.push_back({*off, {body.begin() + p, body.begin() + p + *len}});
		p += *len;
	}
	if (p != body.size())
		return std::nullopt;
	return out;
}

void fsync_dir_of(const std::string &path)
{
	auto dir = unique_fd::open(dir_of(path), O_RDONLY | O_DIRECTORY);
	if (dir)
		fsync(dir->get());
}

// Replays META's journal, if complete, into FD and removes it. True if an
// interrupted update was finished.
Result<bool> finish_interrupted_update(const std::string &meta, const unique_fd &fd,
				       uint64_t meta_size)
{
	const std::string jp = journal_path(meta);
	auto j = OpenFile::open(jp, O_RDONLY);
	if (!j) {
		if (access(jp.c_str(), F_OK) != 0 && errno == ENOENT)
			return false;
		return j.error();
	}
	auto entries = decode_journal(j->bytes(), meta_size);
	if (entries) {
		for (const auto &e : *entries)
			TRY(pwrite_all(fd, e.data, e.offset, meta));
		TRY(fsync_path(fd, meta));
	}
	if (unlink(jp.c_str()) != 0)
		return Error::from_errno("unlink " + jp, errno);
	fsync_dir_of(jp);
	return entries.has_value();
}

Result<uint64_t> parse_u64(std::string_view s)
{
	uint64_t v = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size())
		return err("'" + std::string(s) + "' is not a block number");
	return v;
}

} // namespace

Result<FormatResult> format(const FormatOptions &o)
{
	if (o.image_version < 1)
		return err("image version must be at least 1");
	TRY_ASSIGN(auto key, PrivateKey::load_pem(o.key));
	TRY_ASSIGN(auto image, OpenFile::open(o.image, O_RDONLY));
	if (image.size == 0 || image.size % o.block_size != 0)
		return err(o.image + ": image size " + num(image.size) +
			   " bytes is not a non-zero multiple of the block size " +
			   num(o.block_size));
	TRY_ASSIGN(Layout l, Layout::compute(o.block_size, key.sig_size(), image.size / o.block_size));
	ImageId id;
	if (o.image_id) {
		id = *o.image_id;
	} else {
		TRY_ASSIGN(id, random_image_id());
	}
	std::vector<uint64_t> map(l.data_blocks, o.image_version);
	Header h = Header::make(l, o.image_version, id, map_digest(map), key.key_id());

	const std::string tmp = o.meta + ".tmp";
	TRY_ASSIGN(auto out, unique_fd::open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	TempFile guard(tmp);
	if (ftruncate(out.get(), static_cast<off_t>(l.meta_size)) != 0)
		return Error::from_errno(tmp, errno);

	// Chunks of whole record blocks, so each worker writes its own blocks.
	const uint64_t chunk = l.records_per_block * 64;
	TRY(parallel_for(
		l.data_blocks, chunk, o.threads, [&] { return key.make_sign_context(); },
		[&](SignContext &ctx, uint64_t begin, uint64_t end) -> Result<void> {
			uint64_t rb0 = l.record_block(begin), rb1 = l.record_block(end - 1) + 1;
			std::vector<uint8_t> buf((rb1 - rb0) * l.block_size, 0);
			for (uint64_t i = begin; i < end; i++) {
				uint64_t off = l.record_offset(i) - l.records_offset -
					       rb0 * l.block_size;
				Digest d = stmt_digest(h, i, map[i], data_block(image, l, i));
				TRY(ctx.sign(d, std::span(buf).subspan(off, l.sig_size)));
			}
			return pwrite_all(out, buf, l.records_offset + rb0 * l.block_size, tmp);
		}));
	TRY(pwrite_all(out, encode_map(map, l), l.map_offset, tmp));
	TRY_ASSIGN(auto block0, signed_block0(h, key));
	TRY(pwrite_all(out, block0, 0, tmp));
	TRY(fsync_path(out, tmp));
	// A journal left by an interrupted update belongs to the old metadata:
	// gone (durably) before the new one takes its name, or the next update
	// would replay it into the new metadata.
	if (unlink(journal_path(o.meta).c_str()) == 0)
		fsync_dir_of(o.meta);
	if (rename(tmp.c_str(), o.meta.c_str()) != 0)
		return Error::from_errno("rename " + tmp + " to " + o.meta, errno);
	guard.commit();
	fsync_dir_of(o.meta);
	return FormatResult{h};
}

Result<VerifyResult> verify(const VerifyOptions &o)
{
	TRY_ASSIGN(auto cert, PublicKey::load_certificate(o.cert));
	TRY_ASSIGN(auto meta, OpenFile::open(o.meta, O_RDONLY));
	TRY_ASSIGN(auto image, OpenFile::open(o.image, O_RDONLY));
	TRY_ASSIGN(auto ctx, cert.make_context());
	auto t = load_trusted(meta.bytes(), cert.key_id(), cert.sig_size(), ctx,
			      "the certificate's", o.min_version, o.image_id);
	if (!t)
		return t.error().context(o.meta);
	const Layout &l = t->meta.layout;
	TRY(check_image_size(image, o.image, l));

	VerifyResult res{t->meta.header, {}};
	std::mutex mu; // protects res.bad
	TRY(parallel_for(
		l.data_blocks, 256, o.threads, [&] { return cert.make_context(); },
		[&](VerifyContext &vctx, uint64_t begin, uint64_t end) -> Result<void> {
			std::vector<BadBlock> bad;
			for (uint64_t i = begin; i < end; i++) {
				Digest d = stmt_digest(res.header, i, t->map[i],
						       data_block(image, l, i));
				if (!vctx.verify(d, t->meta.record(i)))
					bad.push_back(
						{i, "signature mismatch (data or record altered)"});
			}
			std::lock_guard<std::mutex> lock(mu);
			res.bad.insert(res.bad.end(), bad.begin(), bad.end());
			return {};
		}));
	std::sort(res.bad.begin(), res.bad.end(),
		  [](const BadBlock &a, const BadBlock &b) { return a.index < b.index; });
	return res;
}

Result<BlockRanges> parse_block_list(std::string_view list)
{
	BlockRanges out;
	if (list.empty())
		return err("empty block list");
	size_t pos = 0;
	while (pos <= list.size()) {
		size_t comma = list.find(',', pos);
		if (comma == std::string_view::npos)
			comma = list.size();
		std::string_view item = list.substr(pos, comma - pos);
		size_t dash = item.find('-');
		auto lo = parse_u64(item.substr(0, dash));
		if (!lo)
			return lo.error().context("bad block list");
		uint64_t hi = *lo;
		if (dash != std::string_view::npos) {
			auto h = parse_u64(item.substr(dash + 1));
			if (!h)
				return h.error().context("bad block list");
			hi = *h;
			if (hi < *lo)
				return err("bad block list: range " + std::string(item) +
					   " is backwards");
		}
		out.emplace_back(*lo, hi);
		pos = comma + 1;
	}
	return out;
}

Result<UpdateResult> update(const UpdateOptions &o)
{
	TRY_ASSIGN(auto key, PrivateKey::load_pem(o.key));
	TRY_ASSIGN(auto meta, OpenFile::open(o.meta, O_RDWR));
	// One update at a time; a file's update is journaled (see above), a
	// block device's is written in place.
	if (flock(meta.fd.get(), LOCK_EX | LOCK_NB) != 0)
		return err(o.meta + ": another blocksig update is running on it");
	struct stat st;
	if (fstat(meta.fd.get(), &st) != 0)
		return Error::from_errno(o.meta, errno);
	const bool journaled = S_ISREG(st.st_mode);
	UpdateResult res;
	if (journaled) {
		TRY_ASSIGN(res.finished_interrupted,
			   finish_interrupted_update(o.meta, meta.fd, meta.size));
	}
	TRY_ASSIGN(auto image, OpenFile::open(o.image, O_RDONLY));
	TRY_ASSIGN(auto vctx, key.make_verify_context());
	auto tr = load_trusted(meta.bytes(), key.key_id(), key.sig_size(), vctx, "this private",
			       1, std::nullopt);
	if (!tr)
		return tr.error().context(o.meta);
	Trusted &t = *tr;
	const Layout &l = t.meta.layout;
	const Header old = t.meta.header;
	if (image.size != l.data_size())
		return err(o.image + ": image size changed: " + num(image.size) +
			   " bytes, the metadata covers " + num(l.data_size()) +
			   " bytes; update cannot resize, run format");

	res.old_version = old.image_version;
	if (o.image_version) {
		if (*o.image_version <= old.image_version)
			return err("new image version " + num(*o.image_version) +
				   " must be greater than the current " + num(old.image_version));
		res.new_version = *o.image_version;
	} else {
		if (old.image_version == UINT64_MAX)
			return err("image version cannot be increased further");
		res.new_version = old.image_version + 1;
	}

	if (o.blocks) {
		std::set<uint64_t> chosen;
		for (auto [lo, hi] : *o.blocks) {
			if (hi >= l.data_blocks)
				return err("block " + num(hi) + " is out of range (the image has " +
					   num(l.data_blocks) + " blocks)");
			for (uint64_t i = lo; i <= hi; i++)
				chosen.insert(i);
		}
		res.resigned.assign(chosen.begin(), chosen.end());
	} else {
		std::mutex mu; // protects res.resigned
		TRY(parallel_for(
			l.data_blocks, 256, o.threads, [&] { return key.make_verify_context(); },
			[&](VerifyContext &c, uint64_t begin, uint64_t end) -> Result<void> {
				std::vector<uint64_t> changed;
				for (uint64_t i = begin; i < end; i++) {
					Digest d = stmt_digest(old, i, t.map[i],
							       data_block(image, l, i));
					if (!c.verify(d, t.meta.record(i)))
						changed.push_back(i);
				}
				std::lock_guard<std::mutex> lock(mu);
				res.resigned.insert(res.resigned.end(), changed.begin(),
						    changed.end());
				return {};
			}));
		std::sort(res.resigned.begin(), res.resigned.end());
	}

	// New signatures, one slot per re-signed block.
	const auto &blocks = res.resigned;
	std::vector<uint8_t> sigs(blocks.size() * l.sig_size);
	if (!blocks.empty()) {
		TRY(parallel_for(
			blocks.size(), 64, o.threads, [&] { return key.make_sign_context(); },
			[&](SignContext &c, uint64_t begin, uint64_t end) -> Result<void> {
				for (uint64_t k = begin; k < end; k++) {
					uint64_t i = blocks[k];
					Digest d = stmt_digest(old, i, res.new_version,
							       data_block(image, l, i));
					TRY(c.sign(d, std::span(sigs).subspan(k * l.sig_size,
									      l.sig_size)));
				}
				return {};
			}));
	}
	for (uint64_t i : blocks)
		t.map[i] = res.new_version;

	// Records, then map blocks, each touched block rewritten whole; then
	// the header.
	const auto bytes = meta.bytes();
	std::vector<JournalEntry> writes;
	for (size_t k = 0; k < blocks.size();) {
		uint64_t rb = l.record_block(blocks[k]);
		uint64_t off = l.records_offset + rb * l.block_size;
		std::vector<uint8_t> buf(bytes.begin() + off, bytes.begin() + off + l.block_size);
		for (; k < blocks.size() && l.record_block(blocks[k]) == rb; k++) {
			uint64_t in = l.record_offset(blocks[k]) - off;
			std::copy_n(sigs.begin() + k * l.sig_size, l.sig_size, buf.begin() + in);
		}
		writes.push_back({off, std::move(buf)});
	}
	const uint64_t per_map_block = l.block_size / 8;
	for (size_t k = 0; k < blocks.size();) {
		uint64_t mb = blocks[k] / per_map_block;
		uint64_t off = l.map_offset + mb * l.block_size;
		std::vector<uint8_t> buf(bytes.begin() + off, bytes.begin() + off + l.block_size);
		for (; k < blocks.size() && blocks[k] / per_map_block == mb; k++) {
			uint64_t le = htole64(res.new_version);
			memcpy(&buf[(blocks[k] % per_map_block) * 8], &le, 8);
		}
		writes.push_back({off, std::move(buf)});
	}
	Header h = old;
	h.image_version = res.new_version;
	h.map_digest = map_digest(t.map);
	TRY_ASSIGN(auto block0, signed_block0(h, key));

	const std::string jp = journal_path(o.meta);
	if (journaled) {
		auto all = writes;
		all.push_back({0, block0});
		TRY_ASSIGN(auto j, unique_fd::open(jp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
		TRY(pwrite_all(j, encode_journal(all), 0, jp));
		TRY(fsync_path(j, jp));
		fsync_dir_of(jp);
	}
	for (const auto &w : writes)
		TRY(pwrite_all(meta.fd, w.data, w.offset, o.meta));
	TRY(fsync_path(meta.fd, o.meta));
	TRY(pwrite_all(meta.fd, block0, 0, o.meta));
	TRY(fsync_path(meta.fd, o.meta));
	if (journaled) {
		if (unlink(jp.c_str()) != 0)
			return Error::from_errno("unlink " + jp, errno);
		fsync_dir_of(jp);
	}
	return res;
}

Result<OpenCheck> check_for_open(const std::string &image_path, const std::string &meta_path,
				 const std::string &cert_path, uint64_t min_version,
				 const std::optional<ImageId> &image_id)
{
	TRY_ASSIGN(auto cert, PublicKey::load_certificate(cert_path));
	TRY_ASSIGN(auto meta, OpenFile::open(meta_path, O_RDONLY));
	TRY_ASSIGN(auto image, OpenFile::open(image_path, O_RDONLY));
	TRY_ASSIGN(auto ctx, cert.make_context());
	auto t = load_trusted(meta.bytes(), cert.key_id(), cert.sig_size(), ctx,
			      "the certificate's", min_version, image_id);
	if (!t)
		return t.error().context(meta_path);
	TRY(check_image_size(image, image_path, t->meta.layout));
	return OpenCheck{t->meta.header, cert.cert_der()};
}

} // namespace blocksig
