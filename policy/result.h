// Errors are values: a Result<T> holds either a T or an Error with a source location.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace stsh {

// Where an error points: file, 1-based line and column. line == 0 means "the whole file"
// (e.g. it cannot be opened), rendered without line and column.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

struct Error {
  SourceLocation where;
  std::string message;

  // "file:line:col: message", or "file: message" without a line, or just the message.
  [[nodiscard]] std::string to_string() const;
};

[[nodiscard]] inline Error make_error(std::string message) {
  return Error{{}, std::move(message)};
}
[[nodiscard]] inline Error make_error(SourceLocation where, std::string message) {
  return Error{std::move(where), std::move(message)};
}

// A minimal std::expected stand-in (g++ 12 has no <expected>).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design, like expected
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// For operations that produce nothing but can fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace stsh
