// Building kmod's binary index files. The trie shape is canonical (independent of insertion
// order); only where nodes are placed differs between kmod versions, so the layout is a
// parameter. The default reproduces Debian 12's kmod 30 byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ringside::kmod {

enum class IndexLayout {
    PostOrder,  // kmod <= 33: children before their parent, root last
    PreOrder,   // kmod >= 34: root first, each subtree contiguous
};

class IndexWriter {
public:
    IndexWriter();

    // Adds `value` under `key` with `priority`. Values of a key stay sorted by ascending
    // priority, a new value going before existing ones of equal priority (as kmod stores
    // them). Returns true when the same value was already stored under the key (depmod -w
    // warns about that), false otherwise; an error when the key is not 7-bit ASCII.
    Result<bool> add(std::string_view key, std::string_view value, std::uint32_t priority);

    std::string serialize(IndexLayout layout = IndexLayout::PostOrder) const;

private:
    struct Value {
        std::uint32_t priority;
        std::string text;
    };
    struct Node {
        std::string prefix;
        std::vector<Value> values;
        std::vector<std::pair<std::uint8_t, std::uint32_t>> children;  // edge byte -> node, sorted
    };

    std::uint32_t find_child(const Node& node, std::uint8_t ch) const;
    std::uint32_t new_node(std::string prefix);
    std::uint32_t flags(const Node& node) const;
    std::size_t body_size(const Node& node) const;
    void append_body(std::string& out, const Node& node, const std::vector<std::uint32_t>& child_refs) const;
    std::uint32_t write_post_order(std::string& out, std::uint32_t node) const;
    std::size_t subtree_size(std::uint32_t node, std::vector<std::size_t>& sizes) const;
    void write_pre_order(std::string& out, std::uint32_t node, const std::vector<std::size_t>& sizes) const;

    std::vector<Node> m_nodes;  // m_nodes[0] is the root
};

}  // namespace ringside::kmod
