// Suppressions in Valgrind's block format, so existing habits carry over:
//   {
//      name
//      ringside:leak            (or ringside:* / Memcheck:* for any kind)
//      fun:glob                 a frame's function
//      obj:glob                 a frame's object file
//      ...                      any number of frames
//   }
// Frames are matched from the top of the error's primary stack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "heap/wire.h"

namespace ringside::heap {

struct Suppression {
    std::string name;
    std::string kind;  // "*" for any
    std::vector<std::string> frames;  // "fun:x", "obj:x", "..."
};

Result<std::vector<Suppression>> parse_suppressions(std::string_view text, const std::string& origin);
// The suppression that matches, or nullptr.
const Suppression* find_suppression(const std::vector<Suppression>& suppressions, const HeapError& error);

}  // namespace ringside::heap
