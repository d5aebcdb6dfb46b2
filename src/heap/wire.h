// Reading what the preload library wrote: the line-based wire format of
// src/heap/preload/report.cpp (P process, M mapping, E error, S stack, Z end, T summary,
// G/K growth, D marker), grouped per process. Unknown or malformed lines are skipped and
// counted: the file may end mid-line when the program was killed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ringside::heap {

struct Mapping {
    uint64_t start = 0;
    uint64_t end = 0;
    uint64_t offset = 0;
    bool executable = false;
    std::string path;
};

struct Frame {
    uint64_t pc = 0;
    std::string function;  // demangled, or "" when unknown
    std::string file;      // source file, or ""
    int line = 0;
    std::string module;    // object path
    uint64_t module_offset = 0;
};

struct Stack {
    std::string role;  // at, fault, alloc, free
    std::vector<uint64_t> pcs;
    std::vector<Frame> frames;  // filled by the symbolizer
};

struct HeapError {
    std::string process;  // "pid.nonce"
    int pid = 0;
    uint64_t seq = 0;
    uint64_t file_offset = 0;
    std::string kind;
    std::map<std::string, std::string> fields;
    std::vector<Stack> stacks;
    bool complete = false;
    int count = 1;

    std::string field(const std::string& name) const;
    uint64_t number(const std::string& name) const;
    const Stack* stack(const std::string& role) const;
    // The stack that says where the error is: "at", or "alloc" for leaks.
    const Stack* primary_stack() const;
};

struct Summary {
    bool present = false;
    uint64_t live_blocks = 0, live_bytes = 0, reachable_blocks = 0, reachable_bytes = 0;
    uint64_t allocs = 0, frees = 0, allocated = 0;
};

struct GrowthSample {
    uint64_t time_ms = 0;
    uint32_t stack = 0;
    uint64_t bytes = 0;
};

struct Process {
    std::string key;
    int pid = 0;
    int ppid = 0;
    std::string exe;
    std::vector<Mapping> mappings;
    Summary summary;
    std::vector<GrowthSample> growth;
    std::map<uint32_t, std::vector<uint64_t>> growth_stacks;
    std::vector<std::pair<std::string, uint64_t>> markers;  // (what, file offset)
};

struct WireLog {
    std::map<std::string, Process> processes;
    std::vector<HeapError> errors;
    size_t skipped_lines = 0;
};

WireLog parse_wire(std::string_view text);

}  // namespace ringside::heap
