// Symbol ownership, dependency edges, kmod's topological numbering and cycle reports.
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/mapped_file.h"
#include "base/text.h"
#include "kmod/depmod_internal.h"

namespace ringside::kmod {

namespace {

std::string_view strip_prefix(std::string_view name, char prefix)
{
    if (!name.empty() && name[0] == prefix)
        name.remove_prefix(1);
    return name;
}

void add_symbol(State& state, std::string_view name, std::uint64_t crc, std::size_t owner)
{
    state.symbols[std::string(name)] = Symbol { owner, crc };
}

// Symbols the kernel provides without exporting them (kmod adds them with -E and -F).
void add_fake_symbols(State& state)
{
    for (const char* name : { "__this_module", "_GLOBAL_OFFSET_TABLE_", "TOC." })
        add_symbol(state, name, 0, kernel_owner);
}

std::vector<std::string_view> split_lines(std::string_view text)
{
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::size_t len = nl == std::string_view::npos ? text.size() : nl + 1;
        lines.push_back(text.substr(0, len));
        text.remove_prefix(len);
    }
    return lines;
}


}  // namespace

Result<void> load_symvers(State& state, const std::string& path)
{
    auto text = read_small_file(path, 1u << 30);
    if (!text)
        return make_error(ErrorKind::NotFound, "could not load " + path + ": " + std::strerror(ENOENT));
    unsigned number = 0;
    // e.g. "0xb352177e\tfind_first_bit\tvmlinux\tEXPORT_SYMBOL\t"
    for (std::string_view line : split_lines(*text)) {
        number++;
        auto fields = split_blanks(line);
        if (fields.size() < 3 || fields[2] != "vmlinux")
            continue;
        std::string version(fields[0]);
        char* end = nullptr;
        errno = 0;
        std::uint64_t crc = std::strtoull(version.c_str(), &end, 16);
        if (*end != '\0') {
            // kmod prints %m here, an errno no call has just set: in practice the ENOENT of an
            // earlier failed lookup.
            (*state.log)(DepmodLevel::Error, path + ":" + std::to_string(number) + " Invalid symbol version " + version
                    + ": " + std::strerror(ENOENT));
            continue;
        }
        add_symbol(state, strip_prefix(fields[1], state.request->symbol_prefix), crc, kernel_owner);
    }
    add_fake_symbols(state);
    return {};
}

Result<void> load_system_map(State& state, const std::string& path)
{
    auto text = read_small_file(path, 1u << 30);
    if (!text)
        return make_error(ErrorKind::NotFound, "could not load " + path + ": " + std::strerror(ENOENT));
    constexpr std::string_view ksymtab = "__ksymtab_";
    unsigned number = 0;
    // e.g. "c0294200 R __ksymtab_devfs_alloc_devnum"
    for (std::string_view line : split_lines(*text)) {
        number++;
        std::size_t first = line.find(' ');
        std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
        if (second == std::string_view::npos) {
            (*state.log)(DepmodLevel::Error, path + ":" + std::to_string(number) + ": invalid line: " + std::string(line));
            continue;
        }
        std::string_view name = strip_prefix(line.substr(second + 1), state.request->symbol_prefix);
        if (name.substr(0, ksymtab.size()) != ksymtab)
            continue;
        name.remove_prefix(ksymtab.size());
        name = name.substr(0, name.find('\n'));
        add_symbol(state, name, 0, kernel_owner);
    }
    add_fake_symbols(state);
    return {};
}

void resolve_symbols(State& state)
{
    char prefix = state.request->symbol_prefix;
    const DepmodLog& log = *state.log;
    for (std::size_t i = 0; i < state.modules.size(); i++) {
        const Module& m = state.modules[i];
        if (!m.facts.load_error.empty())
            log(DepmodLevel::Error, "failed to load symbols from " + m.path + ": " + m.facts.load_error);
        for (const auto& e : m.facts.exports)
            add_symbol(state, strip_prefix(e.name, prefix), e.crc, i);
    }
    for (std::size_t i = 0; i < state.modules.size(); i++) {
        Module& m = state.modules[i];
        for (const auto& need : m.facts.needs) {
            std::string_view name = need.name;
            if (!name.empty() && name[0] == '.')
                name.remove_prefix(1);
            name = strip_prefix(name, prefix);
            auto found = state.symbols.find(std::string(name));
            if (found == state.symbols.end()) {
                if (state.report_unknown && !need.weak)
                    log(DepmodLevel::Warning, m.path + " needs unknown symbol " + need.name);
                continue;
            }
            const Symbol& sym = found->second;
            if (state.check_crcs && sym.crc != need.crc && !need.weak && state.report_unknown)
                log(DepmodLevel::Warning, m.path + " disagrees about version of symbol " + need.name);
            if (sym.owner == kernel_owner)
                continue;
            bool known = false;
            for (std::size_t d : m.deps)
                known |= d == sym.owner;
            if (known)
                continue;
            m.deps.push_back(sym.owner);
            state.modules[sym.owner].users++;
            log(DepmodLevel::Show, m.path + " needs \"" + found->first + "\": " + state.modules[sym.owner].path);
        }
    }
}

namespace {

// kmod's cycle report: from each module still holding users, a depth-first walk with an
// explicit stack; reaching the start again prints the path. kmod 30 loops forever when the
// walk enters a cycle that does not contain its start; we skip such revisits instead.
std::size_t report_cycles(const State& state, const std::vector<std::uint32_t>& users)
{
    const DepmodLog& log = *state.log;
    std::vector<std::size_t> roots;
    for (std::size_t i = 0; i < state.modules.size(); i++)
        if (users[i] > 0)
            roots.push_back(i);
    std::vector<char> visited(state.modules.size(), 0);
    std::vector<char> in_loop(state.modules.size(), 0);
    std::size_t loop_modules = 0;
    auto remove_root = [&](std::size_t m) {
        for (auto it = roots.begin(); it != roots.end(); ++it)
            if (*it == m) {
                roots.erase(it);
                return;
            }
    };
    struct Vertex {
        std::size_t module;
        std::size_t parent;  // index into `vertices`, SIZE_MAX for the start
    };
    std::size_t budget = 10'000'000;  // pathological graphs: stop reporting rather than hang
    while (!roots.empty() && budget > 0) {
        std::size_t root = roots.front();
        roots.erase(roots.begin());
        std::vector<Vertex> vertices { { root, SIZE_MAX } };
        std::vector<std::size_t> stack { 0 };
        while (!stack.empty() && budget-- > 0) {
            std::size_t vi = stack.back();
            stack.pop_back();
            std::size_t m = vertices[vi].module;
            if (visited[m] && m == root) {
                std::vector<std::size_t> chain;
                for (std::size_t p = vertices[vi].parent; p != SIZE_MAX; p = vertices[p].parent)
                    chain.push_back(vertices[p].module);
                std::string text;
                for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
                    text += state.modules[*it].name + " -> ";
                    if (!in_loop[*it]) {
                        in_loop[*it] = 1;
                        loop_modules++;
                    }
                    remove_root(*it);
                }
                text += state.modules[m].name;
                log(DepmodLevel::Error, "Cycle detected: " + text);
                continue;
            }
            if (visited[m] && m != root) {
                bool on_path = false;
                for (std::size_t p = vertices[vi].parent; p != SIZE_MAX && !on_path; p = vertices[p].parent)
                    on_path = vertices[p].module == m;
                if (on_path)
                    continue;
            }
            visited[m] = 1;
            const Module& mod = state.modules[m];
            if (mod.deps.empty()) {
                remove_root(m);
                continue;
            }
            for (std::size_t d : mod.deps) {
                vertices.push_back({ d, vi });
                stack.push_back(vertices.size() - 1);
            }
        }
    }
    log(DepmodLevel::Error, "Found " + std::to_string(loop_modules) + " modules in dependency cycles!");
    return loop_modules;
}

}  // namespace

// Kahn's algorithm with a LIFO stack, as kmod numbers modules: a module's dependencies get
// higher numbers than the module itself.
Result<void> number_dependencies(State& state)
{
    std::size_t n = state.modules.size();
    std::vector<std::uint32_t> users(n);
    std::vector<std::size_t> roots;
    for (std::size_t i = 0; i < n; i++) {
        users[i] = state.modules[i].users;
        if (users[i] == 0)
            roots.push_back(i);
    }
    std::uint32_t sorted = 0;
    while (!roots.empty()) {
        std::size_t src = roots.back();
        roots.pop_back();
        state.modules[src].dep_sort_idx = sorted++;
        for (std::size_t dst : state.modules[src].deps) {
            if (--users[dst] == 0)
                roots.push_back(dst);
        }
    }
    if (sorted < n) {
        report_cycles(state, users);
        return make_error(ErrorKind::Malformed, "modules in dependency cycles");
    }
    return {};
}

std::vector<std::size_t> sorted_dependencies(const State& state, std::size_t index)
{
    std::vector<std::size_t> all;
    std::vector<std::size_t> stack(state.modules[index].deps.rbegin(), state.modules[index].deps.rend());
    std::vector<char> seen(state.modules.size(), 0);
    while (!stack.empty()) {
        std::size_t m = stack.back();
        stack.pop_back();
        if (seen[m])
            continue;
        seen[m] = 1;
        all.push_back(m);
        for (std::size_t d : state.modules[m].deps)
            stack.push_back(d);
    }
    std::sort(all.begin(), all.end(), [&](std::size_t a, std::size_t b) {
        return state.modules[a].dep_sort_idx < state.modules[b].dep_sort_idx;
    });
    return all;
}

}  // namespace ringside::kmod
