// SPDX-License-Identifier: GPL-2.0-only
// Result<T>: the expected-like return type of every fallible Bulkhead call.
// An Error says what failed and why, in one line fit for a user.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace bulkhead {

struct Error {
	std::string message;

	// "what: why" (errno text appended by from_errno).
	static Error from_errno(std::string what, int err);
	Error context(const std::string &what) const { return Error{what + ": " + message}; }
};

template <typename T> class [[nodiscard]] Result {
public:
	Result(T value) : v_(std::move(value)) {}
	Result(Error err) : v_(std::move(err)) {}

	bool ok() const { return v_.index() == 0; }
	explicit operator bool() const { return ok(); }

	T &value() &
	{
		assert(ok());
		return std::get<0>(v_);
	}
	T &&value() &&
	{
		assert(ok());
		return std::get<0>(std::move(v_));
	}
	const T &value() const &
	{
		assert(ok());
		return std::get<0>(v_);
	}
	T *operator->() { return &value(); }
	T &operator*() & { return value(); }
	const Error &error() const
	{
		assert(!ok());
		return std::get<1>(v_);
	}

private:
	std::variant<T, Error> v_;
};

template <> class [[nodiscard]] Result<void> {
public:
	Result() = default;
	Result(Error err) : err_(std::move(err)), ok_(false) {}
	bool ok() const { return ok_; }
	explicit operator bool() const { return ok_; }
	void value() const { assert(ok_); }
	const Error &error() const
	{
		assert(!ok_);
		return err_;
	}

private:
	Error err_;
	bool ok_ = true;
};

inline Result<void> ok() { return {}; }
inline Error err(std::string message) { return Error{std::move(message)}; }

} // namespace bulkhead

// TRY(expr): evaluate a Result; on error return that error from the caller.
#define BULKHEAD_CONCAT_(a, b) a##b
#define BULKHEAD_CONCAT(a, b) BULKHEAD_CONCAT_(a, b)
#define TRY(expr)                                                                                  \
	do {                                                                                       \
		auto &&BULKHEAD_CONCAT(try_r_, __LINE__) = (expr);                                  \
		if (!BULKHEAD_CONCAT(try_r_, __LINE__).ok())                                         \
			return BULKHEAD_CONCAT(try_r_, __LINE__).error();                            \
	} while (0)
// TRY_ASSIGN(lhs, expr): like TRY, and move the value into lhs on success.
#define TRY_ASSIGN(lhs, expr)                                                                      \
	auto BULKHEAD_CONCAT(try_v_, __LINE__) = (expr);                                           \
	if (!BULKHEAD_CONCAT(try_v_, __LINE__).ok())                                               \
		return BULKHEAD_CONCAT(try_v_, __LINE__).error();                                  \
	lhs = std::move(BULKHEAD_CONCAT(try_v_, __LINE__)).value()
