// /proc/meminfo: "Key:   value kB" lines, kept by name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace ringside::maps {

class Meminfo {
public:
    static Result<Meminfo> parse(std::string_view text);
    static Result<Meminfo> read(const std::string& path = "/proc/meminfo");

    // kB; 0 when the kernel does not print the field.
    std::uint64_t kb(std::string_view key) const;
    bool has(std::string_view key) const;
    // Every line in order; in_kb is false for the counts (HugePages_Total and the like).
    struct Field {
        std::string key;
        std::uint64_t value = 0;
        bool in_kb = false;
    };
    const std::vector<Field>& fields() const { return m_fields; }

private:
    std::vector<Field> m_fields;
};

}  // namespace ringside::maps
