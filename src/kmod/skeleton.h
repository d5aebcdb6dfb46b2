// `ringside module new NAME`: a new out-of-tree kernel module, ready for
// `make -C /lib/modules/$(uname -r)/build M=$PWD modules`: NAME.c (license, author,
// description, a parameter, load and unload messages), Kbuild, Makefile and a README.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace ringside::kmod {

struct SkeletonRequest {
    std::string name;  // becomes the module name and the folder name
    std::string license = "GPL";
    std::string author = "Your Name <you@example.org>";
    std::string description;  // default: "The NAME kernel module"
    std::string directory;    // where the folder is created (default: the current directory)
};

struct SkeletonFile {
    std::string name;  // relative to the module folder
    std::string content;
};

// Checks the request: a module name is a C identifier of at most 55 characters (the kernel's
// MODULE_NAME_LEN less one), the license one the kernel accepts without tainting or one of
// its proprietary spellings, and no text that would break out of a C string.
Result<void> validate_skeleton_request(const SkeletonRequest& request);

std::vector<SkeletonFile> skeleton_files(const SkeletonRequest& request);

// Creates <directory>/<name>/ (it must not exist yet) and writes the files atomically.
// Returns the folder's path.
Result<std::string> write_skeleton(const SkeletonRequest& request);

}  // namespace ringside::kmod
