#include "maps/mapping_kind.h"

#include "maps/pmap_view.h"

namespace ringside::maps {

bool name_says_deleted(std::string_view name)
{
    return name.ends_with(" (deleted)");
}

MappingKind classify_mapping(const MapsLine& line)
{
    std::string_view name = line.name;
    if (name.empty())
        return line.inode == 0 ? MappingKind::Anonymous : MappingKind::Other;
    if (name.front() == '[') {
        if (name == "[heap]")
            return MappingKind::Heap;
        if (name == "[stack]")
            return MappingKind::Stack;
        if (name == "[vdso]" || name == "[vvar]" || name == "[vvar_vclock]" || name == "[vsyscall]")
            return MappingKind::KernelPage;
        if (name.starts_with("[anon_shmem:"))
            return MappingKind::SharedAnon;
        if (name.starts_with("[anon:"))
            return MappingKind::Anonymous;
        return MappingKind::Other;
    }
    const bool deleted = name_says_deleted(name);
    const bool internal_shmem = line.dev_major == 0 && line.dev_minor == shmem_device_minor();
    if (internal_shmem || (line.dev_major == 0 && deleted)) {
        if (name.starts_with("/dev/zero"))
            return MappingKind::SharedAnon;
        if (name.starts_with("/memfd:"))
            return MappingKind::Memfd;
        if (name.starts_with("/SYSV"))
            return MappingKind::SysV;
    }
    if (name.starts_with("/anon_hugepage"))
        return MappingKind::Hugetlb;
    if (name.starts_with("/memfd:") && deleted)
        return MappingKind::Memfd;  // hugetlb memfds live on another internal mount
    return deleted ? MappingKind::DeletedFile : MappingKind::File;
}

const char* mapping_kind_name(MappingKind kind)
{
    switch (kind) {
    case MappingKind::Heap: return "heap";
    case MappingKind::Stack: return "stack";
    case MappingKind::KernelPage: return "kernel";
    case MappingKind::Anonymous: return "anonymous";
    case MappingKind::SharedAnon: return "shared-anonymous";
    case MappingKind::Memfd: return "memfd";
    case MappingKind::SysV: return "sysv-shm";
    case MappingKind::Hugetlb: return "hugetlb";
    case MappingKind::File: return "file";
    case MappingKind::DeletedFile: return "deleted-file";
    case MappingKind::Other: return "other";
    }
    return "other";
}

}  // namespace ringside::maps
