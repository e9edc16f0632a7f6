// SPDX-License-Identifier: GPL-2.0-only
// Helpers of the host integration tests: a Guid or Agent run on a thread,
// and waiting for a condition.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

#include "bulkhead/unique_fd.h"

namespace bulkhead::gui::testing {

// Polls `pred` every 20 ms until it holds or `limit` has passed.
inline bool eventually(const std::function<bool()> &pred,
		       std::chrono::milliseconds limit = std::chrono::seconds(15))
{
	auto end = std::chrono::steady_clock::now() + limit;
	while (std::chrono::steady_clock::now() < end) {
		if (pred())
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	return pred();
}

// Runs a Guid or Agent (anything with run(int stop_fd)) on a thread until
// stopped (or it fails).
class Runner {
public:
	template <typename T> explicit Runner(T *obj) : stop_(eventfd(0, EFD_CLOEXEC))
	{
		thread_ = std::thread([this, obj] {
			auto r = obj->run(stop_.get());
			result_ = r.ok() ? "" : r.error().message;
			done_ = true;
		});
	}
	~Runner() { stop(); }
	void stop()
	{
		if (!thread_.joinable())
			return;
		uint64_t one = 1;
		(void)!write(stop_.get(), &one, sizeof(one));
		thread_.join();
	}
	bool done() const { return done_; }
	// The error it ended with ("" if stopped cleanly); waits up to 15 s.
	std::string wait_error()
	{
		for (int i = 0; i < 1500 && !done_; i++)
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		if (!done_)
			return "(still running)";
		thread_.join();
		return result_;
	}

private:
	unique_fd stop_;
	std::thread thread_;
	std::atomic<bool> done_{false};
	std::string result_;
};

} // namespace bulkhead::gui::testing
