// An on-disk cache of what depmod learned from each module file, so that a rerun after one
// module changed reads only that module. An entry is trusted only while the file's size,
// modification time (ns), inode and device are unchanged. The cache is an optimisation:
// a missing, stale, corrupt or unwritable cache makes depmod slower, never different.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "base/result.h"
#include "kmod/depmod_facts.h"

namespace ringside::kmod {

struct CacheKey {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
    std::uint64_t device = 0;

    bool operator==(const CacheKey&) const = default;
};

class DepmodCache {
public:
    // An empty cache when the file is missing or fails any check (magic, version, checksum,
    // bounds): the caller then reads every module again.
    static DepmodCache load(const std::string& path);
    static DepmodCache parse(std::string_view bytes);

    const ModuleFacts* find(const std::string& module_path, const CacheKey& key) const;
    void put(const std::string& module_path, const CacheKey& key, ModuleFacts facts);
    std::size_t size() const { return m_entries.size(); }

    std::string serialize() const;
    // Written to a temporary file and renamed into place.
    Result<void> save(const std::string& path) const;

    struct Entry {
        CacheKey key;
        ModuleFacts facts;
    };

private:
    std::unordered_map<std::string, Entry> m_entries;
};

}  // namespace ringside::kmod
