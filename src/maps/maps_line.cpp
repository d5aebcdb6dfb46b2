#include "maps/maps_line.h"

#include "maps/text_cursor.h"

namespace ringside::maps {

namespace {

Error malformed(std::string_view line, const char* what)
{
    std::string shown(line.substr(0, 80));
    return Error { ErrorKind::Malformed, std::string("maps line '") + shown + "': " + what };
}

}  // namespace

Result<MapsLine> parse_maps_line(std::string_view line)
{
    TextCursor cursor(line);
    MapsLine entry;
    if (!cursor.hex(entry.start) || !cursor.consume('-') || !cursor.hex(entry.end))
        return malformed(line, "bad address range");
    if (entry.end < entry.start)
        return malformed(line, "range ends before it starts");
    if (!cursor.consume(' '))
        return malformed(line, "no permissions");
    for (char& p : entry.perms) {
        if (cursor.at_end())
            return malformed(line, "short permissions");
        p = cursor.peek();
        cursor.consume(p);
    }
    std::uint64_t major = 0, minor = 0;
    if (!cursor.consume(' ') || !cursor.hex(entry.offset))
        return malformed(line, "bad offset");
    if (!cursor.consume(' ') || !cursor.hex(major) || !cursor.consume(':') || !cursor.hex(minor))
        return malformed(line, "bad device");
    if (major > UINT32_MAX || minor > UINT32_MAX)
        return malformed(line, "device number out of range");
    entry.dev_major = static_cast<std::uint32_t>(major);
    entry.dev_minor = static_cast<std::uint32_t>(minor);
    if (!cursor.consume(' ') || !cursor.decimal(entry.inode))
        return malformed(line, "bad inode");
    if (!cursor.at_end() && cursor.skip_spaces() == 0)
        return malformed(line, "no space before the name");
    entry.name = cursor.rest();
    return entry;
}

std::string decode_mapping_name(std::string_view name)
{
    std::string out;
    out.reserve(name.size());
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && name.substr(i, 4) == "\\012") {
            out += '\n';
            i += 3;
        } else {
            out += name[i];
        }
    }
    return out;
}

}  // namespace ringside::maps
