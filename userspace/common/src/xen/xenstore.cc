// SPDX-License-Identifier: GPL-2.0-only
// Store / StoreWatch / DomainDeathWatch over libxenstore.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <poll.h>
#include <unistd.h>

extern "C" {
#include <xenstore.h>
}

#include "bulkhead/xen/xenstore.h"

namespace bulkhead::xen {

Result<void> check_store_path(const std::string &path)
{
	if (path.empty())
		return err("xenstore: empty path");
	if (path.front() == '/')
		return err("xenstore: absolute path '" + path + "' refused (paths are relative to the domain)");
	size_t start = 0;
	while (start <= path.size()) {
		size_t end = path.find('/', start);
		if (end == std::string::npos)
			end = path.size();
		std::string c = path.substr(start, end - start);
		if (c.empty() || c == "." || c == "..")
			return err("xenstore: path '" + path + "' has an empty, '.' or '..' component");
		for (char ch : c) {
			bool good = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.' ||
				    ch == '@';
			if (!good)
				return err("xenstore: path '" + path + "' has a forbidden character");
		}
		if (end == path.size())
			break;
		start = end + 1;
	}
	return ok();
}

namespace {

struct XsHandle {
	xs_handle *h;
	explicit XsHandle(xs_handle *x) : h(x) {}
	~XsHandle() { xs_close(h); }
};

Result<std::shared_ptr<XsHandle>> xs_connect(const std::string &why)
{
	xs_handle *h = xs_open(0);
	if (!h)
		return Error::from_errno("xenstore: open (" + why + ")", errno);
	return std::make_shared<XsHandle>(h);
}

std::string next_token()
{
	static std::atomic<unsigned> n{0};
	return "bulkhead-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

class XsWatch final : public StoreWatch {
public:
	XsWatch(std::shared_ptr<XsHandle> h, std::string base, std::string path, std::string token)
	    : h_(std::move(h)), base_(std::move(base)), path_(std::move(path)), token_(std::move(token))
	{
	}
	~XsWatch() override { xs_unwatch(h_->h, path_.c_str(), token_.c_str()); }

	Result<std::optional<std::string>> next() override
	{
		char **v = xs_check_watch(h_->h);
		if (!v) {
			if (errno == EAGAIN)
				return std::optional<std::string>();
			return Error::from_errno("xenstore: watch on " + path_, errno);
		}
		std::string fired = v[XS_WATCH_PATH];
		free(v);
		if (fired.rfind(base_ + "/", 0) == 0)
			fired = fired.substr(base_.size() + 1);
		return std::optional<std::string>(fired);
	}

	Result<std::optional<std::string>> wait(std::chrono::milliseconds timeout) override
	{
		// Polls in slices and asks between them: with libxenstore.a
		// (no reader thread) the fd never turns readable by itself and
		// only xs_check_watch() reads the events off the connection.
		auto start = std::chrono::steady_clock::now();
		for (;;) {
			TRY_ASSIGN(auto e, next());
			if (e)
				return e;
			auto left = timeout.count() < 0
					    ? std::chrono::milliseconds(100)
					    : std::chrono::duration_cast<std::chrono::milliseconds>(
						      start + timeout - std::chrono::steady_clock::now());
			if (left.count() <= 0)
				return std::optional<std::string>();
			struct pollfd p = {xs_fileno(h_->h), POLLIN, 0};
			int slice = static_cast<int>(std::min<long>(left.count(), 100));
			if (::poll(&p, 1, slice) < 0 && errno != EINTR)
				return Error::from_errno("xenstore: poll watch on " + path_, errno);
		}
	}

	borrowed_fd pollable() const override { return borrowed_fd(xs_fileno(h_->h)); }

private:
	std::shared_ptr<XsHandle> h_;
	std::string base_, path_, token_;
};

class XsStore final : public Store {
public:
	XsStore(std::shared_ptr<XsHandle> h, std::string base) : h_(std::move(h)), base_(std::move(base)) {}

	const std::string &base() const override { return base_; }

	Result<std::string> read(const std::string &path) override
	{
		TRY(check_store_path(path));
		std::string full = base_ + "/" + path;
		unsigned int len = 0;
		char *v = static_cast<char *>(xs_read(h_->h, XBT_NULL, full.c_str(), &len));
		if (!v)
			return Error::from_errno("xenstore: read " + full, errno);
		std::string s(v, len);
		free(v);
		return s;
	}

	Result<void> write(const std::string &path, const std::string &value) override
	{
		TRY(check_store_path(path));
		std::string full = base_ + "/" + path;
		if (value.size() > kMaxValue)
			return err("xenstore: write " + full + ": value of " + std::to_string(value.size()) +
				   " bytes is over " + std::to_string(kMaxValue));
		if (!xs_write(h_->h, XBT_NULL, full.c_str(), value.data(), value.size()))
			return Error::from_errno("xenstore: write " + full, errno);
		return ok();
	}

	Result<void> remove(const std::string &path) override
	{
		TRY(check_store_path(path));
		std::string full = base_ + "/" + path;
		if (!xs_rm(h_->h, XBT_NULL, full.c_str()))
			return Error::from_errno("xenstore: rm " + full, errno);
		return ok();
	}

	Result<std::vector<std::string>> list(const std::string &path) override
	{
		TRY(check_store_path(path));
		std::string full = base_ + "/" + path;
		unsigned int n = 0;
		char **v = xs_directory(h_->h, XBT_NULL, full.c_str(), &n);
		if (!v)
			return Error::from_errno("xenstore: ls " + full, errno);
		std::vector<std::string> out(v, v + n);
		free(v);
		return out;
	}

	Result<std::unique_ptr<StoreWatch>> watch(const std::string &path) override
	{
		TRY(check_store_path(path));
		std::string full = base_ + "/" + path;
		// One connection per watch: events of different watches never mix.
		TRY_ASSIGN(auto h, xs_connect("watch " + full));
		(void)xs_fileno(h->h); // sets up the event pipe before events can arrive
		std::string token = next_token();
		if (!xs_watch(h->h, full.c_str(), token.c_str()))
			return Error::from_errno("xenstore: watch " + full, errno);
		return std::unique_ptr<StoreWatch>(new XsWatch(std::move(h), base_, full, token));
	}

private:
	std::shared_ptr<XsHandle> h_;
	std::string base_;
};

class XsDeathWatch final : public DomainDeathWatch {
public:
	XsDeathWatch(std::shared_ptr<XsHandle> h, DomainId d, std::string token)
	    : h_(std::move(h)), domid_(d), token_(std::move(token))
	{
	}
	~XsDeathWatch() override { xs_unwatch(h_->h, "@releaseDomain", token_.c_str()); }

	borrowed_fd pollable() const override { return borrowed_fd(xs_fileno(h_->h)); }

	Result<bool> check() override
	{
		for (;;) {
			char **v = xs_check_watch(h_->h);
			if (!v)
				break;
			free(v);
		}
		if (errno != EAGAIN)
			return Error::from_errno("xenstore: @releaseDomain watch", errno);
		if (!xs_is_domain_introduced(h_->h, domid_))
			return true;
		// libxl removes the domain's directory when it destroys it.
		std::string p = "/local/domain/" + std::to_string(domid_);
		unsigned int n = 0;
		char **d = xs_directory(h_->h, XBT_NULL, p.c_str(), &n);
		if (!d)
			return errno == ENOENT;
		free(d);
		return false;
	}

private:
	std::shared_ptr<XsHandle> h_;
	DomainId domid_;
	std::string token_;
};

} // namespace

Result<std::unique_ptr<Store>> open_store(DomainId domid)
{
	TRY_ASSIGN(auto h, xs_connect("store of dom" + std::to_string(domid)));
	return std::unique_ptr<Store>(new XsStore(std::move(h), "/local/domain/" + std::to_string(domid)));
}

Result<std::unique_ptr<Store>> open_own_store()
{
	TRY_ASSIGN(auto h, xs_connect("own store"));
	unsigned int len = 0;
	char *v = static_cast<char *>(xs_read(h->h, XBT_NULL, "domid", &len));
	if (!v)
		return Error::from_errno("xenstore: read own domid", errno);
	std::string id(v, len);
	free(v);
	char *end = nullptr;
	unsigned long d = strtoul(id.c_str(), &end, 10);
	if (id.empty() || *end || d >= 0x7ff0)
		return err("xenstore: own domid '" + id + "' is not a domain id");
	return std::unique_ptr<Store>(new XsStore(std::move(h), "/local/domain/" + std::to_string(d)));
}

Result<std::unique_ptr<DomainDeathWatch>> watch_domain_death(DomainId domid)
{
	TRY_ASSIGN(auto h, xs_connect("death watch of dom" + std::to_string(domid)));
	(void)xs_fileno(h->h);
	std::string token = next_token();
	if (!xs_watch(h->h, "@releaseDomain", token.c_str()))
		return Error::from_errno("xenstore: watch @releaseDomain for dom" + std::to_string(domid), errno);
	return std::unique_ptr<DomainDeathWatch>(new XsDeathWatch(std::move(h), domid, token));
}

} // namespace bulkhead::xen
