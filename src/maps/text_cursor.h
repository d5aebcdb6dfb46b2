// A bounds-checked cursor over /proc text. /proc files are text, not binary structures, so
// ByteReader's offset reads do not fit; every access here checks the position instead, and
// the fuzz target (fuzz/fuzz_maps.cpp) holds it to that.
#pragma once

#include <cstdint>
#include <string_view>

namespace ringside::maps {

class TextCursor {
public:
    explicit TextCursor(std::string_view text) : m_text(text) {}

    bool at_end() const { return m_pos >= m_text.size(); }
    std::size_t position() const { return m_pos; }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }

    bool consume(char c)
    {
        if (at_end() || m_text[m_pos] != c)
            return false;
        ++m_pos;
        return true;
    }

    std::size_t skip_spaces()
    {
        std::size_t start = m_pos;
        while (!at_end() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t'))
            ++m_pos;
        return m_pos - start;
    }

    // Hex digits (lower or upper case); false if none or the value overflows 64 bits.
    bool hex(std::uint64_t& value, std::string_view* digits = nullptr)
    {
        std::size_t start = m_pos;
        value = 0;
        while (!at_end()) {
            int d = hex_digit(m_text[m_pos]);
            if (d < 0)
                break;
            if (value >> 60)
                return false;
            value = value << 4 | static_cast<std::uint64_t>(d);
            ++m_pos;
        }
        if (digits)
            *digits = m_text.substr(start, m_pos - start);
        return m_pos > start;
    }

    // Decimal digits; false if none or the value overflows 64 bits.
    bool decimal(std::uint64_t& value, std::string_view* digits = nullptr)
    {
        std::size_t start = m_pos;
        value = 0;
        while (!at_end() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9') {
            std::uint64_t d = static_cast<std::uint64_t>(m_text[m_pos] - '0');
            if (__builtin_mul_overflow(value, 10u, &value) || __builtin_add_overflow(value, d, &value))
                return false;
            ++m_pos;
        }
        if (digits)
            *digits = m_text.substr(start, m_pos - start);
        return m_pos > start;
    }

    // Up to (not including) `stop` or the end; the cursor stays on `stop`.
    std::string_view until(char stop)
    {
        std::size_t start = m_pos;
        while (!at_end() && m_text[m_pos] != stop)
            ++m_pos;
        return m_text.substr(start, m_pos - start);
    }

    std::string_view rest()
    {
        std::string_view r = m_text.substr(m_pos < m_text.size() ? m_pos : m_text.size());
        m_pos = m_text.size();
        return r;
    }

    static int hex_digit(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

// Splits text into lines without copying; the last line need not end in '\n'.
class LineSplitter {
public:
    explicit LineSplitter(std::string_view text) : m_text(text) {}

    bool next(std::string_view& line)
    {
        if (m_pos >= m_text.size())
            return false;
        std::size_t end = m_text.find('\n', m_pos);
        if (end == std::string_view::npos)
            end = m_text.size();
        line = m_text.substr(m_pos, end - m_pos);
        m_pos = end + 1;
        return true;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

}  // namespace ringside::maps
