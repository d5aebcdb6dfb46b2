// Reads /proc/self/maps line by line with raw system calls into a fixed buffer.
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

struct MapLine {
    uptr start = 0;
    uptr end = 0;
    u64 offset = 0;
    bool readable = false, writable = false, executable = false;
    u64 inode = 0;
    const char* path = "";  // "" for anonymous; valid only during the callback
};

// Calls visit(line) for each mapping; visit returns false to stop. Returns false if unreadable.
template <typename Visit>
bool for_each_mapping(Visit&& visit);

bool parse_map_line(const char* line, size_t n, MapLine& out, char* path_storage, size_t path_capacity);

}  // namespace ringside::heap::rt

namespace ringside::heap::rt {

template <typename Visit>
bool for_each_mapping(Visit&& visit)
{
    int fd = static_cast<int>(sys_open("/proc/self/maps", 0 /*O_RDONLY*/ | 02000000 /*O_CLOEXEC*/, 0));
    if (fd < 0)
        return false;
    char buffer[4096];
    char line[1024];
    char path[1024];
    size_t line_size = 0;
    bool stop = false;
    while (!stop) {
        long n = sys_read(fd, buffer, sizeof buffer);
        if (n == -4)
            continue;
        if (n <= 0)
            break;
        for (long i = 0; i < n && !stop; ++i) {
            char c = buffer[i];
            if (c != '\n') {
                if (line_size < sizeof line - 1)
                    line[line_size++] = c;
                continue;
            }
            line[line_size] = 0;
            MapLine m;
            if (parse_map_line(line, line_size, m, path, sizeof path))
                stop = !visit(m);
            line_size = 0;
        }
    }
    sys_close(fd);
    return true;
}

}  // namespace ringside::heap::rt
