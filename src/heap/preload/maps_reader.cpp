#include "maps_reader.h"

namespace ringside::heap::rt {

namespace {

bool parse_hex(const char*& p, const char* end, u64& out)
{
    u64 v = 0;
    const char* start = p;
    for (; p < end; ++p) {
        char c = *p;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            break;
        v = v * 16 + static_cast<u64>(d);
    }
    out = v;
    return p > start;
}

void skip_spaces(const char*& p, const char* end)
{
    while (p < end && *p == ' ')
        ++p;
}

void skip_field(const char*& p, const char* end)
{
    while (p < end && *p != ' ')
        ++p;
}

}  // namespace

// "start-end perms offset dev inode   path"
bool parse_map_line(const char* line, size_t n, MapLine& out, char* path_storage, size_t path_capacity)
{
    const char* p = line;
    const char* end = line + n;
    u64 v;
    if (!parse_hex(p, end, v) || p >= end || *p != '-')
        return false;
    out.start = v;
    ++p;
    if (!parse_hex(p, end, v))
        return false;
    out.end = v;
    skip_spaces(p, end);
    if (end - p < 4)
        return false;
    out.readable = p[0] == 'r';
    out.writable = p[1] == 'w';
    out.executable = p[2] == 'x';
    skip_field(p, end);
    skip_spaces(p, end);
    if (!parse_hex(p, end, out.offset))
        return false;
    skip_spaces(p, end);
    skip_field(p, end);  // dev
    skip_spaces(p, end);
    u64 inode = 0;
    while (p < end && *p >= '0' && *p <= '9')
        inode = inode * 10 + static_cast<u64>(*p++ - '0');
    out.inode = inode;
    skip_spaces(p, end);
    size_t len = static_cast<size_t>(end - p);
    if (len >= path_capacity)
        len = path_capacity - 1;
    copy_bytes(path_storage, p, len);
    path_storage[len] = 0;
    out.path = path_storage;
    return true;
}

}  // namespace ringside::heap::rt
