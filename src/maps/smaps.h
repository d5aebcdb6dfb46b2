// /proc/PID/smaps (and plain maps, which is smaps without the field lines): every mapping
// with its "Key: value kB" fields kept in the kernel's order, because pmap -X prints
// whatever fields this kernel emits, plus the well-known fields in a fixed array for sums.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "maps/maps_line.h"

namespace ringside::maps {

// Fields we compute with. Anything else the kernel prints is still kept (SmapsValue).
enum class Field : std::uint8_t {
    Size, KernelPageSize, MMUPageSize, Rss, Pss, Pss_Dirty, Pss_Anon, Pss_File, Pss_Shmem,
    Shared_Clean, Shared_Dirty, Private_Clean, Private_Dirty, Referenced, Anonymous, KSM,
    LazyFree, AnonHugePages, ShmemPmdMapped, FilePmdMapped, Shared_Hugetlb, Private_Hugetlb,
    Swap, SwapPss, Locked, THPeligible, ProtectionKey,
    Count
};
constexpr std::size_t field_count = static_cast<std::size_t>(Field::Count);

// The field's name as the kernel spells it; nullptr if `key` is not one we know.
const char* field_name(Field field);
bool field_from_name(std::string_view key, Field& field);

using FieldValues = std::array<std::uint64_t, field_count>;  // in kB (flags: 0/1)

struct SmapsValue {
    std::string_view key;
    std::string_view digits;  // the value exactly as printed
    std::uint64_t value = 0;
    bool in_kb = false;       // printed with a " kB" unit
};

struct SmapsEntry {
    MapsLine line;
    FieldValues fields {};
    std::uint32_t first_value = 0;  // index into Smaps::values
    std::uint32_t value_count = 0;
    std::string_view vm_flags;
    bool has_vm_flags = false;

    std::uint64_t get(Field f) const { return fields[static_cast<std::size_t>(f)]; }
};

class Smaps {
public:
    // Parses smaps or maps text; the text is kept, the entries point into it.
    static Result<Smaps> parse(std::string text);

    const std::vector<SmapsEntry>& entries() const { return m_entries; }
    const std::vector<SmapsValue>& values() const { return m_values; }
    std::span<const SmapsValue> values_of(const SmapsEntry& entry) const
    {
        return std::span<const SmapsValue>(m_values).subspan(entry.first_value, entry.value_count);
    }
    bool has_fields() const { return !m_values.empty(); }

private:
    std::unique_ptr<std::string> m_text;  // on the heap so moving Smaps keeps the views valid
    std::vector<SmapsEntry> m_entries;
    std::vector<SmapsValue> m_values;
};

// One "Key:   value kB" line. False if the line is not a numeric field line.
bool parse_field_line(std::string_view line, SmapsValue& value);

}  // namespace ringside::maps
