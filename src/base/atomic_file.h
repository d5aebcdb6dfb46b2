// Writing files so that nothing is lost: write to a temporary name in the target directory,
// fsync, then rename into place.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace ringside {

// Writes `content` to `path` atomically: readers see the old file or the new one, never a mix.
Result<void> write_file_atomically(const std::string& path, std::string_view content, unsigned mode = 0644);

}  // namespace ringside
