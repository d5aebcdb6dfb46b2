// An on-disk cache of what depmod learned from each module file, so that a rerun after one
// module changed reads only that module. An entry is trusted only while the file's size,
// modification time (ns), inode and device are unchanged. The cache is an optimisation:
// a missing, stale, corrupt or unwritable cache makes depmod slower, never different.
//
// It also remembers the last complete run: a byte-exact description of its inputs (options,
// the ordered module list, the auxiliary files' identities), the identities of the files it
// wrote and the messages it logged after reading the modules. A rerun whose inputs and module
// facts are identical, and whose output files are still the ones written then, keeps those
// files instead of recomputing the same bytes.
#pragma once

#include <cstdint>
#include <sys/stat.h>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/mapped_file.h"
#include "base/result.h"
#include "kmod/depmod_facts.h"
#include "kmod/depmod_log.h"

namespace ringside::kmod {

struct CacheKey {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
    std::uint64_t device = 0;

    bool operator==(const CacheKey&) const = default;
};

// The identity of a file as the cache compares it; all zero when it does not exist.
CacheKey file_identity(const std::string& path);
CacheKey file_identity(const struct stat& st);

struct DepmodLastRun {
    struct Output {
        std::string name;  // e.g. "modules.dep", in the module directory
        CacheKey key;
        bool operator==(const Output&) const = default;
    };
    struct Message {
        DepmodLevel level = DepmodLevel::Info;
        std::string text;
        bool operator==(const Message&) const = default;
    };
    std::string inputs;
    std::vector<Output> outputs;
    std::vector<Message> messages;

    bool operator==(const DepmodLastRun&) const = default;
};

class DepmodCache {
public:
    // An empty cache when the file is missing or fails any check (magic, version, checksum,
    // bounds): the caller then reads every module again.
    static DepmodCache load(const std::string& path);
    static DepmodCache parse(std::string bytes);

    // The module's facts in their encoded form (decode_facts), while the file is unchanged.
    std::optional<std::string_view> find(const std::string& module_path, const CacheKey& key) const;
    // What was cached for the path whatever its identity then (to tell whether facts changed).
    std::optional<std::string_view> find_any(const std::string& module_path) const;
    void put(const std::string& module_path, const CacheKey& key, std::string encoded_facts);
    // Drops the entries of modules that are gone; true if there were any.
    bool keep_only(const std::vector<std::string_view>& module_paths);
    std::size_t size() const { return m_entries.size(); }

    const std::optional<DepmodLastRun>& last_run() const { return m_last_run; }
    void set_last_run(std::optional<DepmodLastRun> run) { m_last_run = std::move(run); }

    std::string serialize() const;
    // A payload with the header (magic, version, checksum) in front: for tests and fuzzing,
    // which need to reach the parser behind the checksum.
    static std::string framed(std::string_view payload);
    // Written to a temporary file and renamed into place, without fsync: a cache lost in a
    // crash only costs the next run its speed.
    Result<void> save(const std::string& path) const;

    static std::string encode_facts(const ModuleFacts& facts);
    static Result<ModuleFacts> decode_facts(std::string_view encoded);

private:
    static DepmodCache parse_view(std::string_view bytes);
    void emit_payload(const std::function<void(std::string_view)>& sink) const;

    struct Entry {
        CacheKey key;
        std::string_view facts;              // into m_file or owned_facts
        std::unique_ptr<std::string> owned_path, owned_facts;  // for entries put() after loading
    };
    // The loaded bytes (parsed from memory, or the mapped file); loaded entries point into them.
    std::unique_ptr<std::string> m_file;
    std::unique_ptr<MappedFile> m_mapped;
    std::unordered_map<std::string_view, Entry> m_entries;
    std::optional<DepmodLastRun> m_last_run;
};

}  // namespace ringside::kmod
