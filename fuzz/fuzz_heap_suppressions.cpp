// The Valgrind-style suppression parser on arbitrary text: never a crash, and whatever parsed
// can be matched against errors (globs on functions, objects and source lines, "..." runs)
// in bounded time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "heap/suppressions.h"

namespace {

ringside::heap::HeapError sample_error(const char* kind, int depth)
{
    ringside::heap::HeapError e;
    e.kind = kind;
    ringside::heap::Stack s;
    s.role = std::string(kind) == "leak" ? "alloc" : "at";
    for (int i = 0; i < depth; ++i)
        s.frames.push_back({ static_cast<uint64_t>(0x1000 + i), "fn" + std::to_string(i % 4), "/src/file" + std::to_string(i % 3) + ".c",
            i, i % 2 ? "/lib/libc.so.6" : "/usr/bin/prog", static_cast<uint64_t>(i) });
    e.stacks.push_back(std::move(s));
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace ringside::heap;
    auto parsed = parse_suppressions(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.supp");
    if (!parsed)
        return 0;
    static const HeapError errors[] = { sample_error("leak", 24), sample_error("heap-overflow", 40), sample_error("double-free", 0) };
    for (const HeapError& e : errors)
        (void)find_suppression(*parsed, e);
    return 0;
}
