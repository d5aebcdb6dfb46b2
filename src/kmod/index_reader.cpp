#include "kmod/index_reader.h"

#include <algorithm>
#include <fnmatch.h>

#include "kmod/index_format.h"

namespace ringside::kmod {

namespace fmt_ = index_format;

// A parsed node body. Offsets point into the file; nothing is copied until asked for.
struct IndexReader::Node {
    std::uint32_t offset = 0;  // where the body starts (for error messages)
    std::string_view prefix;
    bool has_children = false;
    std::uint8_t first = 0;
    std::uint8_t last = 0;
    std::uint64_t children_at = 0;
    std::uint32_t value_count = 0;
    std::uint64_t values_at = 0;
};

// One traversal over the trie. It counts the nodes it visits: a well-formed index has at
// most one node per byte, so more visits than bytes means the references form a cycle or
// a heavily shared graph, and the walk stops with an error instead of running forever.
// Values are counted too: each takes at least 5 bytes and a walk reads each node's once, so
// a graph whose shared nodes hold many values stops before it yields millions of them.
class IndexReader::Walk {
public:
    explicit Walk(const State& state)
        : m_state(state), m_budget(state.reader.size() + 1), m_value_budget(state.reader.size() / 5)
    {
    }

    Error corrupt(std::uint64_t offset, const std::string& what) const
    {
        return make_error(ErrorKind::Malformed,
            m_state.name + ": corrupt index at offset " + std::to_string(offset) + ": " + what);
    }

    Error wrap(std::uint64_t offset, const Error& error) const
    {
        return make_error(error.kind,
            m_state.name + ": corrupt index at offset " + std::to_string(offset) + ": " + error.message);
    }

    // Reference 0 (offset part) means "no node": returns nullopt.
    Result<std::optional<Node>> node(std::uint32_t ref, std::size_t depth)
    {
        std::uint32_t offset = ref & fmt_::offset_mask;
        if (offset == 0)
            return std::optional<Node> {};
        if (m_budget-- == 0)
            return corrupt(offset, "too many nodes visited (the trie has a cycle)");
        // Every level below the root adds at least one key byte; keys are far shorter.
        if (depth > max_depth)
            return corrupt(offset, "trie deeper than " + std::to_string(max_depth) + " levels");
        // A node without flags has an empty body (kmod's empty index: root at offset 12
        // of a 12-byte file), so it may sit at the very end.
        std::uint64_t limit = (ref & ~fmt_::offset_mask) ? m_state.reader.size() : m_state.reader.size() + 1;
        if (offset < fmt_::header_size || offset >= limit)
            return corrupt(offset, "node reference outside the file");
        const ByteReader& r = m_state.reader;
        Node n;
        n.offset = offset;
        std::uint64_t at = offset;
        if (ref & fmt_::flag_prefix) {
            auto prefix = r.c_string(at);
            if (!prefix)
                return wrap(at, prefix.error());
            n.prefix = *prefix;
            at += n.prefix.size() + 1;
        }
        if (ref & fmt_::flag_children) {
            auto first = r.u8(at);
            auto last = r.u8(at + 1);
            if (!first || !last)
                return corrupt(at, "children range runs past the end");
            if (*first > *last)
                return corrupt(at, "children range is inverted");
            n.has_children = true;
            n.first = *first;
            n.last = *last;
            n.children_at = at + 2;
            at = n.children_at + 4u * (n.last - n.first + 1u);
            if (at > r.size())
                return corrupt(n.children_at, "child references run past the end");
        }
        if (ref & fmt_::flag_values) {
            auto count = r.u32(at, Endian::Big);
            if (!count)
                return wrap(at, count.error());
            // Each value takes at least 5 bytes (priority and NUL).
            if (*count > (r.size() - at) / 5)
                return corrupt(at, "value count " + std::to_string(*count) + " exceeds the file");
            n.value_count = *count;
            n.values_at = at + 4;
        }
        return std::optional<Node>(n);
    }

    // The reference of the child on edge `ch`, 0 if there is none.
    Result<std::uint32_t> child(const Node& n, std::uint8_t ch) const
    {
        if (!n.has_children || ch < n.first || ch > n.last)
            return 0u;
        std::uint64_t at = n.children_at + 4u * (ch - n.first);
        auto ref = m_state.reader.u32(at, Endian::Big);
        if (!ref)
            return wrap(at, ref.error());
        return *ref;
    }

    Result<void> values(const Node& n, const std::function<void(IndexValue)>& take)
    {
        const ByteReader& r = m_state.reader;
        std::uint64_t at = n.values_at;
        if (n.value_count > m_value_budget)
            return corrupt(at, "more values reached than the file can hold (nodes are shared)");
        m_value_budget -= n.value_count;
        for (std::uint32_t i = 0; i < n.value_count; i++) {
            auto priority = r.u32(at, Endian::Big);
            if (!priority)
                return wrap(at, priority.error());
            auto text = r.c_string(at + 4);
            if (!text)
                return wrap(at + 4, text.error());
            take(IndexValue { *priority, std::string(*text) });
            at += 4 + text->size() + 1;
        }
        return {};
    }

    static constexpr std::size_t max_depth = 2048;

private:
    const State& m_state;
    std::uint64_t m_budget;
    std::uint64_t m_value_budget;
};

Result<IndexReader> IndexReader::from_state(std::shared_ptr<State> state)
{
    state->reader = ByteReader(state->owned.empty() ? state->file.bytes() : Bytes(state->owned), state->name);
    const ByteReader& r = state->reader;
    auto bad = [&](const std::string& what) {
        return make_error(ErrorKind::Malformed, state->name + ": not a kmod index: " + what);
    };
    if (r.size() < fmt_::header_size)
        return bad("only " + std::to_string(r.size()) + " bytes, the header needs 12");
    std::uint32_t magic = r.u32(0, Endian::Big).value();
    std::uint32_t version = r.u32(4, Endian::Big).value();
    if (magic != fmt_::magic)
        return bad("bad magic at offset 0");
    if ((version >> 16) != (fmt_::version >> 16))
        return make_error(ErrorKind::Unsupported,
            state->name + ": index format version " + std::to_string(version >> 16) + "."
                + std::to_string(version & 0xffff) + " at offset 4 is not supported (need 2.x)");
    state->root = r.u32(8, Endian::Big).value();
    return IndexReader(std::move(state));
}

Result<IndexReader> IndexReader::open(const std::string& path)
{
    auto state = std::make_shared<State>();
    state->name = path;
    state->file = TRY(MappedFile::open(path));
    return from_state(std::move(state));
}

Result<IndexReader> IndexReader::from_bytes(std::vector<std::uint8_t> bytes, const std::string& name)
{
    auto state = std::make_shared<State>();
    state->name = name;
    state->owned = std::move(bytes);
    if (state->owned.empty())
        return make_error(ErrorKind::Malformed, name + ": not a kmod index: only 0 bytes, the header needs 12");
    return from_state(std::move(state));
}

void IndexReader::merge_value(std::vector<IndexValue>& out, IndexValue value)
{
    // kmod inserts before the first value whose priority is not lower.
    auto at = out.begin();
    while (at != out.end() && at->priority < value.priority)
        ++at;
    out.insert(at, std::move(value));
}

std::vector<IndexValue> IndexReader::merged(std::vector<IndexValue> found)
{
    // merge_value's list is ordered by priority, and among equal priorities the value merged
    // last comes first: the reversed input, stably sorted by priority.
    std::reverse(found.begin(), found.end());
    std::stable_sort(found.begin(), found.end(),
        [](const IndexValue& a, const IndexValue& b) { return a.priority < b.priority; });
    return found;
}

Result<std::vector<IndexValue>> IndexReader::lookup_all(std::string_view key) const
{
    Walk walk(*m_state);
    std::vector<IndexValue> found;
    std::uint32_t ref = m_state->root;
    std::size_t i = 0;
    for (std::size_t depth = 0;; depth++) {
        auto node = TRY(walk.node(ref, depth));
        if (!node)
            return found;
        std::string_view prefix = node->prefix;
        if (key.substr(i, prefix.size()) != prefix)
            return found;
        i += prefix.size();
        if (i == key.size()) {
            TRY_VOID(walk.values(*node, [&](IndexValue v) { found.push_back(std::move(v)); }));
            return found;
        }
        ref = TRY(walk.child(*node, static_cast<std::uint8_t>(key[i])));
        i++;
    }
}

Result<std::optional<std::string>> IndexReader::lookup(std::string_view key) const
{
    auto values = TRY(lookup_all(key));
    if (values.empty())
        return std::optional<std::string> {};
    return std::optional<std::string>(std::move(values.front().value));
}

namespace {

bool is_wildcard(char c) { return c == '*' || c == '?' || c == '['; }

}  // namespace

Result<std::vector<IndexValue>> IndexReader::lookup_wildcard(std::string_view query) const
{
    Walk walk(*m_state);
    std::vector<IndexValue> out;
    std::string subject;  // NUL-terminated copy of the unmatched rest of the query
    std::string pattern;  // the stored key from its first wildcard on

    auto add_values = [&](const Node& n) -> Result<void> {
        return walk.values(n, [&](IndexValue v) { out.push_back(std::move(v)); });
    };

    // Below a wildcard every stored key is a candidate: test each with fnmatch against the
    // rest of the query. `skip` = prefix bytes of `node` already consumed by the caller.
    std::function<Result<void>(const Node&, std::size_t, std::size_t)> all;
    all = [&](const Node& n, std::size_t skip, std::size_t depth) -> Result<void> {
        std::size_t pushed = n.prefix.size() - skip;
        pattern.append(n.prefix.substr(skip));
        if (n.has_children) {
            for (unsigned ch = n.first; ch <= n.last; ch++) {
                std::uint32_t ref = TRY(walk.child(n, static_cast<std::uint8_t>(ch)));
                auto child = TRY(walk.node(ref, depth + 1));
                if (!child)
                    continue;
                pattern.push_back(static_cast<char>(ch));
                TRY_VOID(all(*child, 0, depth + 1));
                pattern.pop_back();
            }
        }
        if (n.value_count > 0 && ::fnmatch(pattern.c_str(), subject.c_str(), 0) == 0)
            TRY_VOID(add_values(n));
        pattern.resize(pattern.size() - pushed);
        return {};
    };

    std::uint32_t ref = m_state->root;
    std::size_t i = 0;
    for (std::size_t depth = 0;; depth++) {
        auto node = TRY(walk.node(ref, depth));
        if (!node)
            return merged(std::move(out));
        std::string_view prefix = node->prefix;
        for (std::size_t j = 0; j < prefix.size(); j++) {
            if (is_wildcard(prefix[j])) {
                pattern.clear();
                subject.assign(query.substr(i + j));
                TRY_VOID(all(*node, j, depth));
                return merged(std::move(out));
            }
            if (i + j >= query.size() || prefix[j] != query[i + j])
                return merged(std::move(out));
        }
        i += prefix.size();
        for (char wild : { '*', '?', '[' }) {
            std::uint32_t child_ref = TRY(walk.child(*node, static_cast<std::uint8_t>(wild)));
            auto child = TRY(walk.node(child_ref, depth + 1));
            if (!child)
                continue;
            pattern.assign(1, wild);
            subject.assign(query.substr(i));
            TRY_VOID(all(*child, 0, depth + 1));
        }
        if (i == query.size()) {
            TRY_VOID(add_values(*node));
            return merged(std::move(out));
        }
        ref = TRY(walk.child(*node, static_cast<std::uint8_t>(query[i])));
        i++;
    }
}

Result<void> IndexReader::for_each(const std::function<void(const IndexEntry&)>& visit) const
{
    Walk walk(*m_state);
    IndexEntry entry;
    std::function<Result<void>(std::uint32_t, std::size_t)> descend;
    descend = [&](std::uint32_t ref, std::size_t depth) -> Result<void> {
        auto node = TRY(walk.node(ref, depth));
        if (!node)
            return {};
        std::size_t length = entry.key.size();
        entry.key.append(node->prefix);
        if (node->value_count > 0) {
            entry.values.clear();
            TRY_VOID(walk.values(*node, [&](IndexValue v) { entry.values.push_back(std::move(v)); }));
            visit(entry);
        }
        if (node->has_children) {
            for (unsigned ch = node->first; ch <= node->last; ch++) {
                std::uint32_t child = TRY(walk.child(*node, static_cast<std::uint8_t>(ch)));
                entry.key.push_back(static_cast<char>(ch));
                TRY_VOID(descend(child, depth + 1));
                entry.key.pop_back();
            }
        }
        entry.key.resize(length);
        return {};
    };
    return descend(m_state->root, 0);
}

Result<std::vector<IndexEntry>> IndexReader::dump() const
{
    std::vector<IndexEntry> entries;
    TRY_VOID(for_each([&](const IndexEntry& e) { entries.push_back(e); }));
    return entries;
}

}  // namespace ringside::kmod
