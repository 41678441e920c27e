#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace calypso::core {

// The small set of error kinds; each maps to one HTTP status in src/server.
enum class StatusCode {
    kOk,
    kInvalidArgument,
    kSyntaxError,
    kSemanticError,
    kNotFound,
    kPermissionDenied,
    kUnauthenticated,
    kLimitExceeded,
    kUnavailable,
    kCorruption,
    kIOError,
    kInternal,
};

std::string_view StatusCodeName(StatusCode code);

// A position in a source text (KQL); 1-based. line == 0 means "no position".
struct SourcePos {
    int line = 0;
    int column = 0;
};

// Outcome of a fallible call. Cheap to copy when OK.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(StatusCode code, std::string message, SourcePos pos = {})
        : code_(code), message_(std::move(message)), pos_(pos) {}

    static Status Ok() { return {}; }
    static Status InvalidArgument(std::string m) {
        return {StatusCode::kInvalidArgument, std::move(m)};
    }
    static Status SyntaxError(std::string m, SourcePos p) {
        return {StatusCode::kSyntaxError, std::move(m), p};
    }
    static Status SemanticError(std::string m, SourcePos p) {
        return {StatusCode::kSemanticError, std::move(m), p};
    }
    static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
    static Status LimitExceeded(std::string m) {
        return {StatusCode::kLimitExceeded, std::move(m)};
    }
    static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
    static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
    static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
    static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

    bool ok() const { return code_ == StatusCode::kOk; }
    StatusCode code() const { return code_; }
    const std::string& message() const { return message_; }
    SourcePos pos() const { return pos_; }
    // "SyntaxError: message" (with " at line:column" when a position is known).
    std::string ToString() const;

  private:
    StatusCode code_ = StatusCode::kOk;
    std::string message_;
    SourcePos pos_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
    Result(Status status) : v_(std::move(status)) {  // NOLINT
        assert(!std::get<Status>(v_).ok());
    }

    bool ok() const { return std::holds_alternative<T>(v_); }
    const Status& status() const {
        static const Status kOk;
        return ok() ? kOk : std::get<Status>(v_);
    }
    T& value() & { return std::get<T>(v_); }
    const T& value() const& { return std::get<T>(v_); }
    T&& value() && { return std::get<T>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

  private:
    std::variant<T, Status> v_;
};

}  // namespace calypso::core

#define CALYPSO_CONCAT_INNER(a, b) a##b
#define CALYPSO_CONCAT(a, b) CALYPSO_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                              \
    do {                                                   \
        ::calypso::core::Status calypso_status_ = (expr);  \
        if (!calypso_status_.ok()) return calypso_status_; \
    } while (0)

// `ASSIGN_OR_RETURN(auto x, F())`: binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr)                                \
    auto CALYPSO_CONCAT(calypso_result_, __LINE__) = (expr);       \
    if (!CALYPSO_CONCAT(calypso_result_, __LINE__).ok())           \
        return CALYPSO_CONCAT(calypso_result_, __LINE__).status(); \
    lhs = std::move(CALYPSO_CONCAT(calypso_result_, __LINE__)).value()
