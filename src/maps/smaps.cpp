#include "maps/smaps.h"

#include <cstring>
#include <span>

#include "maps/text_cursor.h"

namespace ringside::maps {

namespace {

constexpr const char* field_names[field_count] = {
    "Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss", "Pss_Dirty", "Pss_Anon", "Pss_File",
    "Pss_Shmem", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced",
    "Anonymous", "KSM", "LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped",
    "Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss", "Locked", "THPeligible",
    "ProtectionKey",
};

bool is_key_line(std::string_view line)
{
    // Keys start with an upper-case letter; mapping lines with a hex digit (lower case).
    return !line.empty() && line[0] >= 'A' && line[0] <= 'Z';
}

// Sizes both arrays from a quick count of the text's lines, so they are allocated once at
// their final size: growing them by doubling faulted in about twice the memory, which
// showed up in `pmap -X` of processes with many mappings.
void reserve_for(std::string_view text, std::vector<SmapsEntry>& entries, std::vector<SmapsValue>& values)
{
    std::size_t mapping_lines = 0, field_lines = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        (is_key_line(text.substr(at, 1)) ? field_lines : mapping_lines) += 1;
        const void* newline = std::memchr(text.data() + at, '\n', text.size() - at);
        if (!newline)
            break;
        at = static_cast<std::size_t>(static_cast<const char*>(newline) - text.data()) + 1;
    }
    entries.reserve(mapping_lines);
    values.reserve(field_lines);
}

}  // namespace

const char* field_name(Field field)
{
    auto index = static_cast<std::size_t>(field);
    return index < field_count ? field_names[index] : nullptr;
}

bool field_from_name(std::string_view key, Field& field)
{
    // The kernel prints the fields in a fixed order; callers usually ask in that order, so a
    // linear scan from the last hit finds most keys at the first comparison.
    static thread_local std::size_t last = 0;
    for (std::size_t step = 0; step < field_count; ++step) {
        std::size_t i = (last + step) % field_count;
        if (key == field_names[i]) {
            last = i + 1;
            field = static_cast<Field>(i);
            return true;
        }
    }
    return false;
}

bool parse_field_line(std::string_view line, SmapsValue& value)
{
    TextCursor cursor(line);
    value.key = cursor.until(':');
    if (value.key.empty() || !cursor.consume(':'))
        return false;
    cursor.skip_spaces();
    if (!cursor.decimal(value.value, &value.digits))
        return false;
    cursor.skip_spaces();
    std::string_view unit = cursor.rest();
    value.in_kb = unit == "kB";
    return value.in_kb || unit.empty();
}

Result<Smaps> Smaps::parse(std::string text)
{
    Smaps smaps;
    smaps.m_text = std::make_unique<std::string>(std::move(text));
    std::string_view all(*smaps.m_text);
    reserve_for(all, smaps.m_entries, smaps.m_values);
    LineSplitter lines(all);
    std::string_view line;
    std::size_t line_number = 0;
    while (lines.next(line)) {
        ++line_number;
        if (is_key_line(line)) {
            if (smaps.m_entries.empty())
                return Error { ErrorKind::Malformed,
                    "smaps line " + std::to_string(line_number) + ": field before the first mapping" };
            SmapsEntry& entry = smaps.m_entries.back();
            if (line.starts_with("VmFlags:")) {
                std::string_view flags = line.substr(8);
                while (!flags.empty() && flags.front() == ' ')
                    flags.remove_prefix(1);
                while (!flags.empty() && flags.back() == ' ')
                    flags.remove_suffix(1);
                entry.vm_flags = flags;
                entry.has_vm_flags = true;
                continue;
            }
            SmapsValue value;
            if (!parse_field_line(line, value))
                continue;  // a future non-numeric field: keep going, it is not ours to judge
            Field field;
            if (field_from_name(value.key, field))
                entry.fields[static_cast<std::size_t>(field)] = value.value;
            smaps.m_values.push_back(value);
            ++entry.value_count;
            continue;
        }
        if (line.empty())
            continue;
        auto parsed = parse_maps_line(line);
        if (!parsed)
            return Error { ErrorKind::Malformed,
                "line " + std::to_string(line_number) + ": " + parsed.error().message };
        SmapsEntry entry;
        entry.line = *parsed;
        entry.first_value = static_cast<std::uint32_t>(smaps.m_values.size());
        smaps.m_entries.push_back(entry);
    }
    return smaps;
}

}  // namespace ringside::maps
