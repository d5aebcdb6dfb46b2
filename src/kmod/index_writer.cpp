#include "kmod/index_writer.h"

#include <algorithm>

#include "kmod/index_format.h"

namespace ringside::kmod {

namespace fmt_ = index_format;

namespace {

void append_u32(std::string& out, std::uint32_t v)
{
    out.push_back(static_cast<char>(v >> 24));
    out.push_back(static_cast<char>(v >> 16));
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

void patch_u32(std::string& out, std::size_t at, std::uint32_t v)
{
    out[at] = static_cast<char>(v >> 24);
    out[at + 1] = static_cast<char>(v >> 16);
    out[at + 2] = static_cast<char>(v >> 8);
    out[at + 3] = static_cast<char>(v);
}

}  // namespace

IndexWriter::IndexWriter() { m_nodes.push_back(Node {}); }

std::uint32_t IndexWriter::new_node(std::string prefix)
{
    m_nodes.push_back(Node { std::move(prefix), {}, {} });
    return static_cast<std::uint32_t>(m_nodes.size() - 1);
}

std::uint32_t IndexWriter::find_child(const Node& node, std::uint8_t ch) const
{
    auto it = std::lower_bound(node.children.begin(), node.children.end(), ch,
        [](const auto& child, std::uint8_t c) { return child.first < c; });
    return (it != node.children.end() && it->first == ch) ? it->second : 0;
}

Result<bool> IndexWriter::add(std::string_view key, std::string_view value, std::uint32_t priority)
{
    for (char c : key) {
        if (static_cast<unsigned char>(c) >= 128 || c == '\0')
            return make_error(ErrorKind::InvalidArgument,
                "index key '" + std::string(key) + "' has a byte outside 7-bit ASCII; only 7-bit ASCII is supported");
    }
    std::uint32_t current = 0;
    std::size_t i = 0;
    for (;;) {
        // Split the node where its prefix and the key part ways: the node keeps the common
        // part, a new child takes over its values and children.
        const std::string& prefix = m_nodes[current].prefix;
        std::size_t j = 0;
        while (j < prefix.size() && i + j < key.size() && prefix[j] == key[i + j])
            j++;
        if (j < prefix.size()) {
            auto edge = static_cast<std::uint8_t>(prefix[j]);
            std::uint32_t moved = new_node(m_nodes[current].prefix.substr(j + 1));
            Node& old_node = m_nodes[current];
            m_nodes[moved].values = std::move(old_node.values);
            m_nodes[moved].children = std::move(old_node.children);
            old_node.values.clear();
            old_node.children.clear();
            old_node.children.emplace_back(edge, moved);
            old_node.prefix.resize(j);
        }
        i += j;
        if (i == key.size()) {
            auto& values = m_nodes[current].values;
            bool duplicate = std::any_of(values.begin(), values.end(), [&](const Value& v) { return v.text == value; });
            auto at = values.begin();
            while (at != values.end() && at->priority < priority)
                ++at;
            values.insert(at, Value { priority, std::string(value) });
            return duplicate;
        }
        auto ch = static_cast<std::uint8_t>(key[i]);
        std::uint32_t child = find_child(m_nodes[current], ch);
        if (child == 0) {
            child = new_node(std::string(key.substr(i + 1)));
            m_nodes[child].values.push_back(Value { priority, std::string(value) });
            auto& children = m_nodes[current].children;
            auto at = std::lower_bound(children.begin(), children.end(), ch,
                [](const auto& c, std::uint8_t e) { return c.first < e; });
            children.insert(at, { ch, child });
            return false;
        }
        current = child;
        i++;
    }
}

std::uint32_t IndexWriter::flags(const Node& node) const
{
    std::uint32_t f = 0;
    if (!node.prefix.empty())
        f |= fmt_::flag_prefix;
    if (!node.values.empty())
        f |= fmt_::flag_values;
    if (!node.children.empty())
        f |= fmt_::flag_children;
    return f;
}

std::size_t IndexWriter::body_size(const Node& node) const
{
    std::size_t size = 0;
    if (!node.prefix.empty())
        size += node.prefix.size() + 1;
    if (!node.children.empty())
        size += 2 + 4u * (node.children.back().first - node.children.front().first + 1u);
    if (!node.values.empty()) {
        size += 4;
        for (const Value& v : node.values)
            size += 4 + v.text.size() + 1;
    }
    return size;
}

void IndexWriter::append_body(std::string& out, const Node& node, const std::vector<std::uint32_t>& child_refs) const
{
    if (!node.prefix.empty()) {
        out.append(node.prefix);
        out.push_back('\0');
    }
    if (!node.children.empty()) {
        std::uint8_t first = node.children.front().first;
        std::uint8_t last = node.children.back().first;
        out.push_back(static_cast<char>(first));
        out.push_back(static_cast<char>(last));
        std::size_t k = 0;
        for (unsigned ch = first; ch <= last; ch++) {
            if (k < node.children.size() && node.children[k].first == ch)
                append_u32(out, child_refs[k++]);
            else
                append_u32(out, 0);
        }
    }
    if (!node.values.empty()) {
        append_u32(out, static_cast<std::uint32_t>(node.values.size()));
        for (const Value& v : node.values) {
            append_u32(out, v.priority);
            out.append(v.text);
            out.push_back('\0');
        }
    }
}

std::uint32_t IndexWriter::write_post_order(std::string& out, std::uint32_t index) const
{
    const Node& node = m_nodes[index];
    std::vector<std::uint32_t> refs;
    refs.reserve(node.children.size());
    for (const auto& [ch, child] : node.children)
        refs.push_back(write_post_order(out, child));
    auto offset = static_cast<std::uint32_t>(out.size());
    append_body(out, node, refs);
    return offset | flags(node);
}

std::size_t IndexWriter::subtree_size(std::uint32_t index, std::vector<std::size_t>& sizes) const
{
    std::size_t total = body_size(m_nodes[index]);
    for (const auto& [ch, child] : m_nodes[index].children)
        total += subtree_size(child, sizes);
    sizes[index] = total;
    return total;
}

void IndexWriter::write_pre_order(std::string& out, std::uint32_t index, const std::vector<std::size_t>& sizes) const
{
    const Node& node = m_nodes[index];
    std::size_t next = out.size() + body_size(node);
    std::vector<std::uint32_t> refs;
    for (const auto& [ch, child] : node.children) {
        refs.push_back(static_cast<std::uint32_t>(next) | flags(m_nodes[child]));
        next += sizes[child];
    }
    append_body(out, node, refs);
    for (const auto& [ch, child] : node.children)
        write_pre_order(out, child, sizes);
}

std::string IndexWriter::serialize(IndexLayout layout) const
{
    std::string out;
    append_u32(out, fmt_::magic);
    append_u32(out, fmt_::version);
    append_u32(out, 0);
    if (layout == IndexLayout::PostOrder) {
        std::uint32_t root = write_post_order(out, 0);
        patch_u32(out, 8, root);
    } else {
        std::vector<std::size_t> sizes(m_nodes.size());
        subtree_size(0, sizes);
        patch_u32(out, 8, fmt_::header_size | flags(m_nodes[0]));
        write_pre_order(out, 0, sizes);
    }
    return out;
}

}  // namespace ringside::kmod
