#include "suppressions.h"

#include <fnmatch.h>

namespace ringside::heap {

namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool glob(const std::string& pattern, const std::string& text)
{
    return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

bool frame_matches(const std::string& pattern, const Frame& frame)
{
    if (pattern.rfind("fun:", 0) == 0)
        return glob(pattern.substr(4), frame.function);
    if (pattern.rfind("obj:", 0) == 0)
        return glob(pattern.substr(4), frame.module);
    if (pattern.rfind("src:", 0) == 0)
        return glob(pattern.substr(4), frame.file + ":" + std::to_string(frame.line));
    return false;
}

// The patterns match the top of the stack, frame by frame ("..." = any run of frames, and the
// frames after the last pattern are free). Wildcard matching with one backtracking point, the
// last "...": linear in the usual case, never exponential in the number of "..." lines.
bool frames_match(const std::vector<std::string>& patterns, const std::vector<Frame>& frames)
{
    constexpr size_t none = static_cast<size_t>(-1);
    size_t p = 0, f = 0;
    size_t star = none, star_frame = 0;
    while (p < patterns.size()) {
        if (patterns[p] == "...") {
            star = p++;
            star_frame = f;
        } else if (f < frames.size() && frame_matches(patterns[p], frames[f])) {
            ++p;
            ++f;
        } else if (star != none && star_frame < frames.size()) {
            p = star + 1;
            f = ++star_frame;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

Result<std::vector<Suppression>> parse_suppressions(std::string_view text, const std::string& origin)
{
    std::vector<Suppression> out;
    Suppression current;
    int state = 0;  // 0 outside, 1 expecting name, 2 expecting kind, 3 frames
    size_t line_number = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        std::string_view line = trim(text.substr(pos, eol - pos));
        pos = eol + 1;
        ++line_number;
        if (line.empty() || line[0] == '#')
            continue;
        auto where = [&] { return origin + ":" + std::to_string(line_number); };
        switch (state) {
        case 0:
            if (line != "{")
                return make_error(ErrorKind::Malformed, where() + ": expected '{'");
            current = {};
            state = 1;
            break;
        case 1:
            current.name = std::string(line);
            state = 2;
            break;
        case 2: {
            auto colon = line.find(':');
            if (colon == std::string_view::npos)
                return make_error(ErrorKind::Malformed, where() + ": expected TOOL:KIND");
            std::string tool(line.substr(0, colon));
            std::string kind(line.substr(colon + 1));
            current.kind = (tool == "Memcheck" || kind == "*") ? "*" : kind;
            state = 3;
            break;
        }
        case 3:
            if (line == "}") {
                out.push_back(std::move(current));
                state = 0;
            } else if (line == "..." || line.rfind("fun:", 0) == 0 || line.rfind("obj:", 0) == 0 || line.rfind("src:", 0) == 0) {
                current.frames.emplace_back(line);
            } else if (line.rfind("match-leak-kinds:", 0) == 0) {
                // Valgrind's leak-kind filter: accepted, all leak kinds match.
            } else {
                return make_error(ErrorKind::Malformed, where() + ": unknown frame line '" + std::string(line) + "'");
            }
            break;
        }
        if (pos > text.size())
            break;
    }
    if (state != 0)
        return make_error(ErrorKind::Truncated, origin + ": suppression not closed with '}'");
    return out;
}

const Suppression* find_suppression(const std::vector<Suppression>& suppressions, const HeapError& error)
{
    const Stack* stack = error.primary_stack();
    static const std::vector<Frame> none;
    const std::vector<Frame>& frames = stack ? stack->frames : none;
    for (const Suppression& s : suppressions) {
        if (s.kind != "*" && s.kind != error.kind)
            continue;
        if (frames_match(s.frames, frames))
            return &s;
    }
    return nullptr;
}

}  // namespace ringside::heap
