// ringside shared: which memory the given processes really share. Two mappings share an
// object when their (device, inode) in /proc/PID/maps agree: shared anonymous memory
// inherited over fork (/dev/zero on the internal shmem mount), memfd, SysV segments and
// files. That identity needs no privilege; map_files/ adds the object's size and proof of
// deletion where the caller may follow its links. Private anonymous pages still shared
// after fork have no identity at all: with root, pagemap's page frames show them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "maps/mapping_kind.h"

namespace ringside::maps {

struct SharedUse {          // one process's mappings of a shared object
    pid_t pid = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    std::string perms;      // of the first mapping
    std::uint64_t size_kb = 0, rss_kb = 0, pss_kb = 0, referenced_kb = 0;
    std::uint64_t shared_kb = 0, private_kb = 0;  // smaps' Shared_* / Private_* (by mapcount)
    bool touched() const { return rss_kb > 0; }
};

struct SharedObject {
    MappingKind kind = MappingKind::Other;
    std::string name;                 // decoded
    std::uint32_t dev_major = 0, dev_minor = 0;
    std::uint64_t inode = 0;
    bool mapped_shared = false;       // MAP_SHARED somewhere (else only private file mappings)
    std::optional<std::uint64_t> object_size;  // from map_files, when permitted
    std::optional<bool> unlinked;             // st_nlink == 0, from map_files
    std::vector<SharedUse> uses;
};

// Private pages (anonymous, or COW copies in private file mappings) that two processes
// still map to the same page frame.
struct CowShare {
    std::string name;                 // of the region in the first process
    pid_t first_pid = 0, second_pid = 0;
    std::uint64_t first_start = 0, second_start = 0;
    std::uint64_t pages = 0;
    std::uint64_t page_size = 4096;
};

// Without page frames (not root): per private region, present pages that are not mapped
// exclusively (bit 56 clear), i.e. shared with some other process, though not with whom.
struct NonExclusive {
    pid_t pid = 0;
    std::string name;
    std::uint64_t start = 0, end = 0;
    std::uint64_t pages = 0;
};

struct SharedReport {
    std::vector<pid_t> pids;
    std::vector<std::string> commands;
    std::vector<SharedObject> objects;
    bool frames_visible = false;      // pagemap gave PFNs (CAP_SYS_ADMIN)
    std::vector<CowShare> cow;
    std::vector<NonExclusive> non_exclusive;
    std::vector<std::string> notes;   // what could not be looked at, and why
};

struct SharedRequest {
    std::vector<std::string> pids;    // at least two (or one: it shares with nobody)
    bool include_files = true;        // mapped files (libraries) as well as shmem objects
    bool pages = true;                // look at pagemap for private pages
};

Result<SharedReport> find_shared(const SharedRequest& request);

std::string render_shared(const SharedReport& report);
Json shared_json(const SharedReport& report);

}  // namespace ringside::maps
