// What a mapping is, from its maps line alone: the kernel's special names, anonymous memory
// (named or not), the objects on the kernel's internal shmem mount (shared anonymous memory,
// memfd, SysV segments), hugetlb, and files (present or unlinked).
#pragma once

#include <string_view>

#include "maps/maps_line.h"

namespace ringside::maps {

enum class MappingKind {
    Heap,          // [heap]
    Stack,         // [stack] (main thread)
    KernelPage,    // [vdso] [vvar] [vvar_vclock] [vsyscall]
    Anonymous,     // private anonymous, unnamed or [anon:NAME]
    SharedAnon,    // MAP_SHARED|MAP_ANONYMOUS: "/dev/zero (deleted)" or [anon_shmem:NAME]
    Memfd,         // "/memfd:NAME (deleted)"
    SysV,          // "/SYSV<key> (deleted)", inode = shmid
    Hugetlb,       // "/anon_hugepage (deleted)" or a hugetlbfs file
    File,          // a file that still has a name
    DeletedFile,   // a file unlinked after mapping
    Other,         // some other bracketed name
};

MappingKind classify_mapping(const MapsLine& line);
const char* mapping_kind_name(MappingKind kind);

// Whether the kernel appended " (deleted)"; a file really named "x (deleted)" looks the same.
bool name_says_deleted(std::string_view name);

// Objects with an identity (dev, inode) that two processes can both map.
inline bool kind_has_identity(MappingKind kind)
{
    return kind == MappingKind::SharedAnon || kind == MappingKind::Memfd || kind == MappingKind::SysV
        || kind == MappingKind::Hugetlb || kind == MappingKind::File || kind == MappingKind::DeletedFile;
}

}  // namespace ringside::maps
