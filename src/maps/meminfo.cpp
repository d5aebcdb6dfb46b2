#include "maps/meminfo.h"

#include "maps/proc_file.h"
#include "maps/smaps.h"
#include "maps/text_cursor.h"

namespace ringside::maps {

Result<Meminfo> Meminfo::parse(std::string_view text)
{
    Meminfo info;
    LineSplitter lines(text);
    std::string_view line;
    while (lines.next(line)) {
        SmapsValue value;
        if (parse_field_line(line, value))
            info.m_fields.push_back({ std::string(value.key), value.value, value.in_kb });
    }
    if (!info.has("MemTotal"))
        return Error { ErrorKind::Malformed, "meminfo: no MemTotal line" };
    return info;
}

Result<Meminfo> Meminfo::read(const std::string& path)
{
    std::string text;
    TRY_VOID(read_whole_file(path, text));
    return parse(text);
}

std::uint64_t Meminfo::kb(std::string_view key) const
{
    for (const Field& field : m_fields)
        if (field.key == key)
            return field.value;
    return 0;
}

bool Meminfo::has(std::string_view key) const
{
    for (const auto& field : m_fields)
        if (field.key == key)
            return true;
    return false;
}

}  // namespace ringside::maps
