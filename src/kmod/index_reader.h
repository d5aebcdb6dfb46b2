// Reading kmod's binary indexes (modules.dep.bin, modules.alias.bin, modules.symbols.bin,
// modules.builtin.bin, modules.builtin.alias.bin). Node placement differs between kmod
// versions (post-order up to 33, pre-order from 34); offsets are absolute, so one reader
// serves both. Every byte is read through ByteReader: a corrupt index gives an Error that
// names the file and the offset, never a crash or an endless walk.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_reader.h"
#include "base/mapped_file.h"
#include "base/result.h"

namespace ringside::kmod {

struct IndexValue {
    std::uint32_t priority = 0;
    std::string value;

    bool operator==(const IndexValue&) const = default;
};

// One key of the trie with its values in stored order.
struct IndexEntry {
    std::string key;
    std::vector<IndexValue> values;
};

class IndexReader {
public:
    // Maps the file. A file that is too short or has the wrong magic or major version
    // is an error; an empty index (header only) is fine.
    static Result<IndexReader> open(const std::string& path);

    // Reads an index held in memory (tests, fuzzing). `name` appears in error messages.
    static Result<IndexReader> from_bytes(std::vector<std::uint8_t> bytes, const std::string& name);

    // Exact lookup as kmod does it for modules.dep.bin and modules.builtin.bin: the first
    // value stored under `key`, or nullopt when the key is absent.
    Result<std::optional<std::string>> lookup(std::string_view key) const;

    // Every value stored under exactly `key`, in stored order.
    Result<std::vector<IndexValue>> lookup_all(std::string_view key) const;

    // Wildcard lookup as kmod does it for modules.alias.bin, modules.symbols.bin and
    // modules.builtin.alias.bin: stored keys are fnmatch(3) patterns; the values of every
    // pattern matching `query`, merged by ascending priority (on equal priority the value
    // merged later comes first), which is the order modprobe tries them.
    Result<std::vector<IndexValue>> lookup_wildcard(std::string_view query) const;

    // Every key in byte order, values in stored order (what `modprobe -c` dumps).
    Result<void> for_each(const std::function<void(const IndexEntry&)>& visit) const;
    Result<std::vector<IndexEntry>> dump() const;

    const std::string& name() const { return m_state->name; }

    // Exposed for tests: kmod's rule for merging values into a result list.
    static void merge_value(std::vector<IndexValue>& out, IndexValue value);
    // The list merge_value builds from `found` (in the order found), in O(n log n): a lookup can
    // match many values, and inserting each one into a vector is quadratic.
    static std::vector<IndexValue> merged(std::vector<IndexValue> found);

private:
    struct Node;
    class Walk;

    // Behind a pointer so the ByteReader's view of the name and the bytes stays valid when
    // the IndexReader moves.
    struct State {
        std::string name;
        MappedFile file;
        std::vector<std::uint8_t> owned;
        ByteReader reader;
        std::uint32_t root = 0;
    };

    explicit IndexReader(std::shared_ptr<const State> state) : m_state(std::move(state)) {}
    static Result<IndexReader> from_state(std::shared_ptr<State> state);

    std::shared_ptr<const State> m_state;
};

}  // namespace ringside::kmod
