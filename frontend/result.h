// Result<T>: a value or an error message, for failures of the machine (I/O,
// LLVM, the kernel). Mistakes in the user's policy go to the
// DiagnosticEngine instead, many per run. [[nodiscard]] so a failure cannot
// be dropped silently (llvm::Expected's discipline, without the abort).
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "frontend/source.h"

namespace polc {

struct Error {
  std::string message;
  int exit_code = 4;  // CONTRACT §2: 3 environment refused, 4 internal error
  // An error about one value of the input (an HTTP pattern the datapath
  // cannot hold) names where it was written, with a hint, so that the CLI
  // reports it as a diagnostic (file:line:col). Invalid: no place.
  SourceLoc loc{};
  std::string hint{};
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T &value() & { return std::get<0>(v_); }
  T &&value() && { return std::get<0>(std::move(v_)); }
  const T &value() const & { return std::get<0>(v_); }
  T *operator->() { return &value(); }
  T &operator*() & { return value(); }
  const Error &error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error &error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

// The input (a policy, an object) is wrong: exit 1.
inline Error input_error(std::string message) { return Error{std::move(message), 1}; }
inline Error internal_error(std::string message) { return Error{std::move(message), 4}; }
inline Error environment_error(std::string message) { return Error{std::move(message), 3}; }

}  // namespace polc
