#include "wire.h"

#include <charconv>

namespace ringside::heap {

namespace {

constexpr std::string_view bare_prefix = "==ringside== ";

std::vector<std::string_view> split(std::string_view line)
{
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        if (i > start)
            words.push_back(line.substr(start, i - start));
    }
    return words;
}

bool parse_number(std::string_view text, uint64_t& out)
{
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && text[1] == 'x') {
        text.remove_prefix(2);
        base = 16;
    }
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return ec == std::errc() && end == text.data() + text.size();
}

int pid_of(std::string_view key)
{
    uint64_t pid = 0;
    auto dot = key.find('.');
    parse_number(key.substr(0, dot), pid);
    return static_cast<int>(pid);
}

// The rest of the line after `count` words (paths may hold spaces).
std::string_view rest_after(std::string_view line, size_t count)
{
    size_t i = 0;
    for (size_t w = 0; w < count; ++w) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        while (i < line.size() && line[i] != ' ')
            ++i;
    }
    while (i < line.size() && line[i] == ' ')
        ++i;
    return line.substr(i);
}

}  // namespace

std::string HeapError::field(const std::string& name) const
{
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
}

uint64_t HeapError::number(const std::string& name) const
{
    uint64_t v = 0;
    parse_number(field(name), v);
    return v;
}

const Stack* HeapError::stack(const std::string& role) const
{
    for (const Stack& s : stacks)
        if (s.role == role)
            return &s;
    return nullptr;
}

const Stack* HeapError::primary_stack() const
{
    if (kind == "leak")
        return stack("alloc");
    if (const Stack* s = stack("at"))
        return s;
    return stacks.empty() ? nullptr : &stacks.front();
}

WireLog parse_wire(std::string_view text)
{
    WireLog log;
    std::map<std::pair<std::string, uint64_t>, size_t> open;  // (process, seq) -> error index
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        bool terminated = eol != std::string_view::npos;
        if (!terminated)
            eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        uint64_t line_offset = pos;
        pos = eol + 1;
        if (!terminated)
            break;  // cut short by a kill: ignore the partial line
        auto prefix_at = line.find(bare_prefix);
        if (prefix_at != std::string_view::npos)
            line.remove_prefix(prefix_at + bare_prefix.size());
        auto words = split(line);
        if (words.size() < 2 || words[0].size() != 1) {
            ++log.skipped_lines;
            continue;
        }
        char tag = words[0][0];
        std::string key(words[1]);
        Process& process = log.processes[key];
        if (process.key.empty()) {
            process.key = key;
            process.pid = pid_of(key);
        }
        uint64_t a = 0, b = 0, c = 0;
        switch (tag) {
        case 'P':
            if (words.size() >= 4) {
                uint64_t ppid = 0;
                parse_number(words[3], ppid);
                process.ppid = static_cast<int>(ppid);
                process.exe = std::string(rest_after(line, 4));
            }
            break;
        case 'M':
            if (words.size() >= 7 && parse_number(words[2], a) && parse_number(words[3], b) && parse_number(words[4], c)) {
                Mapping m { a, b, c, words[5] == "x", std::string(rest_after(line, 6)) };
                bool known = false;
                for (const Mapping& old : process.mappings)
                    known = known || (old.start == m.start && old.path == m.path);
                if (!known)
                    process.mappings.push_back(std::move(m));
            } else {
                ++log.skipped_lines;
            }
            break;
        case 'E': {
            if (words.size() < 4 || !parse_number(words[2], a)) {
                ++log.skipped_lines;
                break;
            }
            HeapError e;
            e.process = key;
            e.pid = process.pid;
            e.seq = a;
            e.file_offset = line_offset;
            e.kind = std::string(words[3]);
            for (size_t i = 4; i < words.size(); ++i) {
                auto eq = words[i].find('=');
                if (eq != std::string_view::npos)
                    e.fields[std::string(words[i].substr(0, eq))] = std::string(words[i].substr(eq + 1));
            }
            open[{ key, a }] = log.errors.size();
            log.errors.push_back(std::move(e));
            break;
        }
        case 'S': {
            if (words.size() < 4 || !parse_number(words[2], a)) {
                ++log.skipped_lines;
                break;
            }
            auto it = open.find({ key, a });
            if (it == open.end()) {
                ++log.skipped_lines;
                break;
            }
            Stack s;
            s.role = std::string(words[3]);
            for (size_t i = 4; i < words.size(); ++i)
                if (parse_number(words[i], b))
                    s.pcs.push_back(b);
            log.errors[it->second].stacks.push_back(std::move(s));
            break;
        }
        case 'Z':
            if (words.size() >= 3 && parse_number(words[2], a)) {
                auto it = open.find({ key, a });
                if (it != open.end()) {
                    log.errors[it->second].complete = true;
                    open.erase(it);
                }
            }
            break;
        case 'T': {
            Summary& s = process.summary;
            s.present = true;
            for (size_t i = 3; i < words.size(); ++i) {
                auto eq = words[i].find('=');
                if (eq == std::string_view::npos || !parse_number(words[i].substr(eq + 1), a))
                    continue;
                auto name = words[i].substr(0, eq);
                if (name == "live_blocks") s.live_blocks = a;
                else if (name == "live_bytes") s.live_bytes = a;
                else if (name == "reachable_blocks") s.reachable_blocks = a;
                else if (name == "reachable_bytes") s.reachable_bytes = a;
                else if (name == "allocs") s.allocs = a;
                else if (name == "frees") s.frees = a;
                else if (name == "allocated") s.allocated = a;
            }
            break;
        }
        case 'G':
            if (words.size() >= 5 && parse_number(words[2], a) && parse_number(words[3], b)) {
                GrowthSample g { a, static_cast<uint32_t>(b), 0 };
                for (size_t i = 4; i < words.size(); ++i)
                    if (words[i].substr(0, 6) == "bytes=")
                        parse_number(words[i].substr(6), g.bytes);
                process.growth.push_back(g);
            }
            break;
        case 'K':
            if (words.size() >= 3 && parse_number(words[2], a)) {
                std::vector<uint64_t> pcs;
                for (size_t i = 3; i < words.size(); ++i)
                    if (parse_number(words[i], b))
                        pcs.push_back(b);
                process.growth_stacks[static_cast<uint32_t>(a)] = std::move(pcs);
            }
            break;
        case 'D':
            if (words.size() >= 3)
                process.markers.emplace_back(std::string(words[2]), line_offset);
            break;
        default:
            ++log.skipped_lines;
        }
    }
    return log;
}

}  // namespace ringside::heap
