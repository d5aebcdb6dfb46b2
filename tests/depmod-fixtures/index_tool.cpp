// Drives IndexReader from shell tests: dumps an index or answers lookups, one per line of
// stdin, so a test can compare ringside's answers with kmod's on the same files.
//   depmod_index_tool dump FILE.bin           key<TAB>priority<TAB>value per value
//   depmod_index_tool exact FILE.bin < keys   first value (or "-") per key
//   depmod_index_tool wild FILE.bin < keys    key<TAB>value value ... per key
#include <cstdio>
#include <iostream>
#include <string>

#include "kmod/index_reader.h"

using namespace ringside::kmod;

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s dump|exact|wild FILE.bin\n", argv[0]);
        return 2;
    }
    std::string mode = argv[1];
    auto index = IndexReader::open(argv[2]);
    if (!index) {
        std::fprintf(stderr, "%s\n", index.error().message.c_str());
        return 1;
    }
    if (mode == "dump") {
        auto r = index->for_each([](const IndexEntry& e) {
            for (const auto& v : e.values)
                std::printf("%s\t%u\t%s\n", e.key.c_str(), v.priority, v.value.c_str());
        });
        if (!r) {
            std::fprintf(stderr, "%s\n", r.error().message.c_str());
            return 1;
        }
        return 0;
    }
    std::string key;
    while (std::getline(std::cin, key)) {
        if (mode == "exact") {
            auto v = index->lookup(key);
            if (!v) {
                std::fprintf(stderr, "%s\n", v.error().message.c_str());
                return 1;
            }
            std::printf("%s\n", v->has_value() ? (*v)->c_str() : "-");
        } else {
            auto v = index->lookup_wildcard(key);
            if (!v) {
                std::fprintf(stderr, "%s\n", v.error().message.c_str());
                return 1;
            }
            std::printf("%s\t", key.c_str());
            for (std::size_t i = 0; i < v->size(); i++)
                std::printf(i ? " %s" : "%s", (*v)[i].value.c_str());
            std::printf("\n");
        }
    }
    return 0;
}
