#include "analysis.h"

#include <algorithm>
#include <fmt/format.h>
#include <set>

#include "heap/symbolize.h"

namespace ringside::heap {

namespace {

std::string merge_key(const HeapError& e)
{
    std::string key = e.kind + "|" + e.field("detail") + "|" + e.field("fn") + "|" + e.field("dealloc");
    for (const Stack& s : e.stacks) {
        key += "|" + s.role;
        for (uint64_t pc : s.pcs)
            key += fmt::format(",{:x}", pc);
    }
    return key;
}

std::string bytes_word(uint64_t n)
{
    return fmt::format("{} byte{}", n, n == 1 ? "" : "s");
}

std::string frame_text(const Frame& f)
{
    std::string where;
    if (!f.file.empty())
        where = fmt::format(" ({}:{})", f.file.substr(f.file.rfind('/') + 1), f.line);
    else if (!f.module.empty())
        where = fmt::format(" (in {})", f.module);
    return fmt::format("0x{:X}: {}{}", f.pc, f.function.empty() ? "???" : f.function, where);
}

std::string block_relation(const HeapError& e)
{
    uint64_t addr = e.number("addr");
    uint64_t block = e.number("block");
    uint64_t size = e.number("size");
    if (!e.fields.count("block"))
        return "";
    std::string state = e.field("state") == "freed" ? "free'd" : "alloc'd";
    if (addr < block)
        return fmt::format("Address 0x{:x} is {} before a block of size {} {}", addr, bytes_word(block - addr), size, state);
    if (addr >= block + size)
        return fmt::format("Address 0x{:x} is {} after a block of size {} {}", addr, bytes_word(addr - block - size), size, state);
    return fmt::format("Address 0x{:x} is {} inside a block of size {} {}", addr, bytes_word(addr - block), size, state);
}

bool is_reachable_group(const HeapError& e)
{
    return e.kind == "leak" && e.field("detail") == "reachable";
}

void append_stack(std::string& out, const std::string& prefix, const Stack* s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->frames.size(); ++i)
        out += prefix + (i == 0 ? "   at " : "   by ") + frame_text(s->frames[i]) + "\n";
    if (s->frames.empty())
        out += prefix + "   (no stack)\n";
}

}  // namespace

std::string describe(const HeapError& e)
{
    const std::string& k = e.kind;
    std::string d = e.field("detail");
    std::string fn = e.field("fn");
    uint64_t access = e.number("access");
    uint64_t size = e.number("size");
    std::string how = e.field("dealloc");
    if (k == "heap-overflow") {
        if (!fn.empty() && fn.rfind("SIG", 0) != 0)
            return fmt::format("Heap block overflow: {}() {} {} into a block of size {}", fn,
                d == "read" ? "reads" : "writes", bytes_word(access), size);
        if (fn.rfind("SIG", 0) == 0)
            return fmt::format("Heap block overflow: invalid access ({}) in the guard page {} a block of size {}", fn,
                d == "underflow" ? "before" : "after", size);
        return fmt::format("Heap block {}: the redzone {} a block of size {} was overwritten (found at {})",
            d, d == "underflow" ? "before" : "after", size, how.empty() ? "free" : how);
    }
    if (k == "use-after-free") {
        if (d == "write-after-free")
            return fmt::format("Use after free: a block of size {} was written after it was freed (found before its memory was reused)", size);
        if (d == "pointer-from-freed-block")
            return "Use after free: invalid access through a pointer loaded from freed memory (0xfdfd...)";
        if (fn.rfind("SIG", 0) == 0 && d == "released")
            return fmt::format("Use after free: invalid access ({}) to a freed block of size {}, since returned to the system", fn, size);
        if (fn.rfind("SIG", 0) == 0)
            return fmt::format("Use after free: invalid access ({}) to a freed block of size {}", fn, size);
        return fmt::format("Use after free: {}() {} {} of a freed block of size {}", fn, d == "write" ? "writes" : "reads",
            bytes_word(access), size);
    }
    if (k == "uninitialised-read") {
        if (d == "value")
            return fmt::format("Uninitialised read: {}() is passed a value never written (0xbebebebe fill pattern)", fn);
        return fmt::format("Uninitialised read: {}() passes heap bytes never written (block of size {})", fn, size);
    }
    if (k == "double-free")
        return fmt::format("Double free: {}() of a block of size {} already freed", how, size);
    if (k == "invalid-free") {
        if (d == "stack")
            return fmt::format("Invalid free: {}() of a stack address", how);
        if (d == "global")
            return fmt::format("Invalid free: {}() of a global{}", how, e.field("symbol").empty() ? "" : " ('" + e.field("symbol") + "')");
        if (d == "interior")
            return fmt::format("Invalid free: {}() of a pointer {} inside a block of size {}", how,
                bytes_word(e.number("addr") - e.number("block")), size);
        return fmt::format("Invalid free: {}() of a pointer that was never allocated", how);
    }
    if (k == "mismatched-free")
        return fmt::format("Mismatched free: a block allocated with {} released with {}", e.field("alloc"), how);
    if (k == "invalid-access") {
        if (d == "null")
            return fmt::format("Invalid access: {} at address 0x{:x} (NULL pointer)", fn, e.number("addr"));
        if (d == "uninitialised-pointer")
            return fmt::format("Invalid access: {} through an uninitialised pointer (0xbebebebe... fill pattern from a heap block)", fn);
        if (d == "non-canonical")
            return fmt::format("Invalid access: {} through a non-canonical (wild) pointer", fn);
        return fmt::format("Invalid access: {} at address 0x{:x}, not inside any mapping or heap block", fn, e.number("addr"));
    }
    if (k == "leak" && d == "reachable")
        return fmt::format("Still reachable: {} in {} block{}", bytes_word(e.number("bytes")), e.number("blocks"),
            e.number("blocks") == 1 ? "" : "s");
    if (k == "leak")
        return fmt::format("Leak: {} in {} block{} {} lost", bytes_word(e.number("bytes")), e.number("blocks"),
            e.number("blocks") == 1 ? "" : "s", d == "indirect" ? "indirectly" : "definitely");
    return k;
}

CheckReport analyse(WireLog log, const std::vector<Suppression>& suppressions, Symbols symbols)
{
    if (symbols == Symbols::Resolve)
        symbolize(log);
    CheckReport report;
    std::map<std::string, size_t> seen;
    for (HeapError& e : log.errors) {
        if (is_reachable_group(e)) {
            if (!find_suppression(suppressions, e))
                report.reachable.push_back(std::move(e));
            continue;
        }
        if (find_suppression(suppressions, e)) {
            ++report.suppressed;
            continue;
        }
        std::string key = e.process + "#" + merge_key(e);
        auto it = seen.find(key);
        if (it != seen.end() && e.kind != "leak") {
            report.errors[it->second].count += 1;
            continue;
        }
        seen[key] = report.errors.size();
        report.errors.push_back(std::move(e));
    }
    for (auto& [key, process] : log.processes) {
        // Growth: a site is named when its live bytes rose in every snapshot after the first.
        std::map<uint32_t, std::vector<uint64_t>> series;
        std::set<uint64_t> times;
        for (const GrowthSample& g : process.growth)
            times.insert(g.time_ms);
        for (const GrowthSample& g : process.growth)
            series[g.stack].push_back(g.bytes);
        if (times.size() >= 3) {
            for (auto& [stack, values] : series) {
                if (values.size() < 3)
                    continue;
                bool rising = true;
                for (size_t i = 1; i < values.size(); ++i)
                    rising = rising && values[i] > values[i - 1];
                if (!rising)
                    continue;
                GrowthSite site;
                site.process = key;
                site.first_bytes = values.front();
                site.last_bytes = values.back();
                site.samples = values.size();
                HeapError carrier;
                carrier.process = key;
                carrier.stacks.push_back({ "alloc", process.growth_stacks[stack], {} });
                if (symbols == Symbols::Resolve) {
                    WireLog one;
                    one.processes[key] = process;
                    one.errors.push_back(carrier);
                    symbolize(one);
                    site.frames = one.errors[0].stacks[0].frames;
                } else {
                    for (uint64_t pc : carrier.stacks[0].pcs)
                        site.frames.push_back(Frame { pc, {}, {}, 0, {}, 0 });
                }
                report.growth.push_back(std::move(site));
            }
        }
        report.processes.push_back(std::move(process));
    }
    std::stable_sort(report.reachable.begin(), report.reachable.end(),
        [](const HeapError& a, const HeapError& b) { return a.number("bytes") < b.number("bytes"); });
    return report;
}

std::string render_text(const CheckReport& report)
{
    std::string out;
    for (const HeapError& e : report.errors) {
        std::string p = fmt::format("=={}== ", e.pid);
        out += p + describe(e) + (e.count > 1 ? fmt::format("  ({} times)", e.count) : "") + "\n";
        auto print_stack = [&](const Stack* s) { append_stack(out, p, s); };
        if (e.kind == "leak") {
            print_stack(e.stack("alloc"));
            out += p + "\n";
            continue;
        }
        print_stack(e.stack("at"));
        if (std::string rel = block_relation(e); !rel.empty())
            out += p + " " + rel + "\n";
        if (const Stack* s = e.stack("free")) {
            out += p + " Block was free'd at\n";
            print_stack(s);
        }
        if (const Stack* s = e.stack("alloc")) {
            out += p + " Block was alloc'd at\n";
            print_stack(s);
        }
        out += p + "\n";
    }
    for (size_t i = 0; i < report.reachable.size(); ++i) {
        const HeapError& e = report.reachable[i];
        std::string p = fmt::format("=={}== ", e.pid);
        out += fmt::format("{}{} in {} block{} still reachable in loss record {} of {}, allocated at\n", p,
            bytes_word(e.number("bytes")), e.number("blocks"), e.number("blocks") == 1 ? " is" : "s are", i + 1,
            report.reachable.size());
        append_stack(out, p, e.stack("alloc"));
        out += p + "\n";
    }
    for (const GrowthSite& g : report.growth) {
        out += fmt::format("==growth== live bytes rose in each of {} snapshots: {} -> {} bytes, allocated at\n", g.samples,
            g.first_bytes, g.last_bytes);
        for (size_t i = 0; i < g.frames.size(); ++i)
            out += fmt::format("==growth==    {} {}\n", i == 0 ? "at" : "by", frame_text(g.frames[i]));
    }
    for (const Process& process : report.processes) {
        if (!process.summary.present)
            continue;
        const Summary& s = process.summary;
        std::string p = fmt::format("=={}== ", process.pid);
        size_t count = 0;
        uint64_t definite = 0, indirect = 0;
        for (const HeapError& e : report.errors) {
            if (e.process != process.key)
                continue;
            if (e.kind == "leak") {
                (e.field("detail") == "indirect" ? indirect : definite) += e.number("bytes");
            }
            count += static_cast<size_t>(e.count);
        }
        out += fmt::format("{}HEAP SUMMARY ({}): in use at exit: {} in {} blocks; total heap usage: {} allocs, {} frees, {} allocated\n",
            p, process.exe.empty() ? "?" : process.exe, bytes_word(s.live_bytes), s.live_blocks, s.allocs, s.frees,
            bytes_word(s.allocated));
        out += fmt::format("{}LEAK SUMMARY: definitely lost: {}; indirectly lost: {}; still reachable: {} in {} blocks\n", p,
            bytes_word(definite), bytes_word(indirect), bytes_word(s.reachable_bytes), s.reachable_blocks);
        out += fmt::format("{}ERROR SUMMARY: {} error{}\n", p, count, count == 1 ? "" : "s");
    }
    if (report.suppressed)
        out += fmt::format("==ringside== {} error{} suppressed\n", report.suppressed, report.suppressed == 1 ? "" : "s");
    return out;
}

namespace {

Json null_if_empty(const std::string& text)
{
    return text.empty() ? Json(nullptr) : Json(text);
}

Json stack_json(const Stack& s)
{
    Json frames = Json::array();
    for (const Frame& f : s.frames) {
        Json j;
        // docs/json.md: addresses are integers, and what is unknown is null rather than "" or 0.
        j["pc"] = f.pc;
        j["function"] = null_if_empty(f.function);
        j["file"] = null_if_empty(f.file);
        j["line"] = f.line ? Json(f.line) : Json(nullptr);
        j["module"] = null_if_empty(f.module);
        frames.push_back(std::move(j));
    }
    Json j;
    j["role"] = s.role;
    j["frames"] = std::move(frames);
    return j;
}

}  // namespace

Json render_json(const CheckReport& report, const std::string& tool)
{
    Json doc = json_document(tool);
    doc["command"] = report.command;
    doc["exit_status"] = report.exit_status;
    doc["signal"] = report.signal;
    Json errors = Json::array();
    for (const HeapError& e : report.errors) {
        Json j;
        j["kind"] = e.kind;
        j["detail"] = null_if_empty(e.field("detail"));
        j["message"] = describe(e);
        j["pid"] = e.pid;
        j["count"] = e.count;
        // Every error object has the same keys; those that do not apply to its kind are null.
        j["function"] = null_if_empty(e.field("fn"));
        j["address"] = e.fields.count("addr") ? Json(e.number("addr")) : Json(nullptr);
        j["access_size"] = e.fields.count("access") ? Json(e.number("access")) : Json(nullptr);
        j["block"] = nullptr;
        if (e.fields.count("block")) {
            j["block"] = { { "address", e.number("block") }, { "size", e.number("size") }, { "state", e.field("state") },
                { "allocated_with", e.field("alloc") } };
        }
        j["blocks"] = e.kind == "leak" ? Json(e.number("blocks")) : Json(nullptr);
        j["bytes"] = e.kind == "leak" ? Json(e.number("bytes")) : Json(nullptr);
        Json stacks = Json::array();
        for (const Stack& s : e.stacks)
            stacks.push_back(stack_json(s));
        j["stacks"] = std::move(stacks);
        errors.push_back(std::move(j));
    }
    doc["errors"] = std::move(errors);
    Json reachable = Json::array();
    for (const HeapError& e : report.reachable) {
        Json j;
        j["pid"] = e.pid;
        j["blocks"] = e.number("blocks");
        j["bytes"] = e.number("bytes");
        j["message"] = describe(e);
        Json stacks = Json::array();
        for (const Stack& s : e.stacks)
            stacks.push_back(stack_json(s));
        j["stacks"] = std::move(stacks);
        reachable.push_back(std::move(j));
    }
    doc["reachable"] = std::move(reachable);
    doc["suppressed"] = report.suppressed;
    Json processes = Json::array();
    for (const Process& p : report.processes) {
        Json j;
        j["pid"] = p.pid;
        j["ppid"] = p.ppid;
        j["exe"] = p.exe;
        j["summary"] = nullptr;
        if (p.summary.present) {
            j["summary"] = { { "live_blocks", p.summary.live_blocks }, { "live_bytes", p.summary.live_bytes },
                { "reachable_blocks", p.summary.reachable_blocks }, { "reachable_bytes", p.summary.reachable_bytes },
                { "allocs", p.summary.allocs }, { "frees", p.summary.frees }, { "allocated_bytes", p.summary.allocated } };
        }
        processes.push_back(std::move(j));
    }
    doc["processes"] = std::move(processes);
    Json growth = Json::array();
    for (const GrowthSite& g : report.growth) {
        Stack s { "alloc", {}, g.frames };
        growth.push_back({ { "first_bytes", g.first_bytes }, { "last_bytes", g.last_bytes }, { "samples", g.samples },
            { "stack", stack_json(s) } });
    }
    doc["growth"] = std::move(growth);
    return doc;
}

Json render_sarif(const CheckReport& report)
{
    Json rules = Json::array();
    std::set<std::string> kinds;
    for (const HeapError& e : report.errors)
        kinds.insert(e.kind);
    for (const std::string& k : kinds)
        rules.push_back({ { "id", k }, { "name", k }, { "shortDescription", { { "text", "heap error: " + k } } } });
    Json results = Json::array();
    for (const HeapError& e : report.errors) {
        Json result;
        result["ruleId"] = e.kind;
        result["level"] = e.kind == "leak" ? "warning" : "error";
        result["message"] = { { "text", describe(e) } };
        Json locations = Json::array();
        if (const Stack* s = e.primary_stack()) {
            for (const Frame& f : s->frames) {
                if (f.file.empty())
                    continue;
                locations.push_back({ { "physicalLocation",
                    { { "artifactLocation", { { "uri", f.file } } }, { "region", { { "startLine", f.line } } } } } });
                break;
            }
        }
        result["locations"] = std::move(locations);
        Json sarif_stacks = Json::array();
        for (const Stack& s : e.stacks) {
            Json frames = Json::array();
            for (const Frame& f : s.frames) {
                Json loc;
                loc["message"] = { { "text", f.function.empty() ? "???" : f.function } };
                if (!f.file.empty())
                    loc["physicalLocation"] = { { "artifactLocation", { { "uri", f.file } } }, { "region", { { "startLine", f.line } } } };
                Json item;
                item["location"] = std::move(loc);
                frames.push_back(std::move(item));
            }
            Json stack;
            stack["message"] = { { "text", s.role } };
            stack["frames"] = std::move(frames);
            sarif_stacks.push_back(std::move(stack));
        }
        result["stacks"] = std::move(sarif_stacks);
        results.push_back(std::move(result));
    }
    Json run;
    run["tool"] = { { "driver", { { "name", "ringside check" }, { "informationUri", "https://example.invalid/ringside" }, { "rules", rules } } } };
    run["results"] = std::move(results);
    Json doc;
    doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
    doc["version"] = "2.1.0";
    // Moved, not listed: an initializer list copies, and the run holds every result.
    Json runs = Json::array();
    runs.push_back(std::move(run));
    doc["runs"] = std::move(runs);
    return doc;
}

}  // namespace ringside::heap
