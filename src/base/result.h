// Result<T>: a value or an Error. Our own because neither g++-12 nor clang-14 offer
// std::expected under C++20, and clang-14 is required for libFuzzer builds.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ringside {

enum class ErrorKind {
    Io,            // the operating system refused a read, write, open...
    NotFound,      // a file, module, process or index entry does not exist
    Permission,    // EACCES / EPERM
    Truncated,     // data ends before a structure it announces
    Malformed,     // data is present but violates its format
    Unsupported,   // valid, but not something we handle (ELF32, big-endian, ...)
    TooLarge,      // a limit we impose (decompression bomb, absurd counts)
    InvalidArgument,
    Internal,
};

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;

    // Prefixes context (a file name, a section) so the CLI can print one line that says where.
    Error with_context(const std::string& where) const&
    {
        return Error { kind, where + ": " + message };
    }
};

const char* error_kind_name(ErrorKind kind);

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const { return m_state.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { return std::get<0>(m_state); }
    const T& value() const& { return std::get<0>(m_state); }
    T&& value() && { return std::get<0>(std::move(m_state)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(m_state); }
    Error&& error() && { return std::get<1>(std::move(m_state)); }

    T value_or(T fallback) const& { return has_value() ? value() : std::move(fallback); }

private:
    std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}

    bool has_value() const { return !m_failed; }
    explicit operator bool() const { return has_value(); }
    void value() const {}
    const Error& error() const& { return m_error; }
    Error&& error() && { return std::move(m_error); }

private:
    Error m_error;
    bool m_failed = false;
};

inline Error make_error(ErrorKind kind, std::string message)
{
    return Error { kind, std::move(message) };
}

}  // namespace ringside

// TRY(expr): evaluate a Result, return its Error from the enclosing function on failure,
// otherwise yield the value. A GNU statement expression, supported by both g++ and clang.
#define TRY(expr)                                                    \
    ({                                                               \
        auto&& ringside_try_result_ = (expr);                        \
        if (!ringside_try_result_.has_value())                       \
            return std::move(ringside_try_result_).error();          \
        std::move(ringside_try_result_).value();                     \
    })

// TRY_VOID(expr): the same for Result<void>.
#define TRY_VOID(expr)                                               \
    do {                                                             \
        auto&& ringside_try_result_ = (expr);                        \
        if (!ringside_try_result_.has_value())                       \
            return std::move(ringside_try_result_).error();          \
    } while (0)
