// What depmod learns from one module file: the symbols it exports (with CRCs), the symbols it
// needs, and the .modinfo entries that end up in depmod's outputs. Small and self-contained so
// it can be computed in parallel and kept in the on-disk cache.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ringside::kmod {

struct ModuleFacts {
    struct Export {
        std::string name;
        std::uint64_t crc = 0;
        bool operator==(const Export&) const = default;
    };
    struct Need {
        std::string name;
        std::uint64_t crc = 0;
        bool weak = false;
        bool operator==(const Need&) const = default;
    };

    // Non-empty when the file could not be read as a module; then the text kmod puts after
    // "failed to load symbols from <path>: " (a strerror text) and the lists are empty.
    std::string load_error;
    std::vector<Export> exports;
    std::vector<Need> needs;
    // .modinfo entries whose key depmod uses (alias, softdep), in file order.
    std::vector<std::pair<std::string, std::string>> modinfo;

    bool operator==(const ModuleFacts&) const = default;
};

// Reads a module file (plain, .xz, .zst or .gz by magic). Never fails: a file kmod cannot
// read gives facts with load_error set, as kmod reports it and still lists the module.
ModuleFacts read_module_facts(const std::string& path);

}  // namespace ringside::kmod
