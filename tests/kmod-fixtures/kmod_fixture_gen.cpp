// kmod_fixture_gen MODULE.ko OUTDIR: writes broken variants of a real (uncompressed, signed)
// module into OUTDIR, one file per defect, named after it. Every file written must make a module
// reader fail with a clear error; tests/e2e/kmod/modinfo_malformed.sh checks that it does.
// Deliberately independent of ringside's own reader: offsets are found with plain arithmetic.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <lzma.h>
#include <string>
#include <vector>
#include <zlib.h>
#include <zstd.h>

#include "synthetic_module.h"

namespace {

using Bytes = std::vector<std::uint8_t>;
std::string out_dir;
int written = 0;

void write(const std::string& name, const Bytes& bytes)
{
    std::ofstream out(out_dir + "/" + name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        std::fprintf(stderr, "kmod_fixture_gen: cannot write %s/%s\n", out_dir.c_str(), name.c_str());
        std::exit(1);
    }
    ++written;
}

template <typename T>
T get(const Bytes& b, std::size_t at)
{
    T v {};
    std::memcpy(&v, b.data() + at, sizeof v);
    return v;
}

template <typename T>
void put(Bytes& b, std::size_t at, T v)
{
    std::memcpy(b.data() + at, &v, sizeof v);
}

struct Section {
    std::size_t header;  // offset of its header
    std::uint64_t offset;
    std::uint64_t size;
    std::string name;
};

std::vector<Section> sections(const Bytes& b)
{
    std::uint64_t shoff = get<std::uint64_t>(b, 40);
    std::uint16_t shnum = get<std::uint16_t>(b, 60);
    std::uint16_t shstrndx = get<std::uint16_t>(b, 62);
    std::uint64_t names = get<std::uint64_t>(b, shoff + shstrndx * 64 + 24);
    std::vector<Section> out;
    for (std::size_t i = 0; i < shnum; ++i) {
        std::size_t h = shoff + i * 64;
        Section s { h, get<std::uint64_t>(b, h + 24), get<std::uint64_t>(b, h + 32), {} };
        s.name = reinterpret_cast<const char*>(b.data() + names + get<std::uint32_t>(b, h));
        out.push_back(s);
    }
    return out;
}

const Section& section(const std::vector<Section>& all, const std::string& name)
{
    for (const Section& s : all)
        if (s.name == name)
            return s;
    std::fprintf(stderr, "kmod_fixture_gen: the module has no %s section\n", name.c_str());
    std::exit(1);
}

Bytes xz(const Bytes& in)
{
    Bytes out(lzma_stream_buffer_bound(in.size()));
    std::size_t pos = 0;
    if (lzma_easy_buffer_encode(0, LZMA_CHECK_CRC32, nullptr, in.data(), in.size(), out.data(), &pos, out.size()) != LZMA_OK)
        std::exit(1);
    out.resize(pos);
    return out;
}

Bytes zst(const Bytes& in)
{
    // With a content checksum, as the zstd command line (and so kbuild) writes frames.
    ZSTD_CCtx* context = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
    Bytes out(ZSTD_compressBound(in.size()));
    std::size_t n = ZSTD_compress2(context, out.data(), out.size(), in.data(), in.size());
    ZSTD_freeCCtx(context);
    if (ZSTD_isError(n))
        std::exit(1);
    out.resize(n);
    return out;
}

Bytes gz(const Bytes& in)
{
    z_stream s {};
    deflateInit2(&s, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    Bytes out(deflateBound(&s, in.size()) + 64);
    s.next_in = const_cast<Bytef*>(in.data());
    s.avail_in = static_cast<uInt>(in.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    deflate(&s, Z_FINISH);
    out.resize(s.total_out);
    deflateEnd(&s);
    return out;
}

void corrupt_middle(Bytes& b)
{
    for (std::size_t i = b.size() / 2; i < b.size() / 2 + 64 && i < b.size(); ++i)
        b[i] ^= 0xA5;
}

}  // namespace

// Small valid modules made from scratch (fuzz seeds): no real module needed.
int write_synthetic()
{
    ringside::fixtures::SyntheticModule base;
    base.modinfo = { "license=GPL", "description=synthetic module", "parm=debug:Debug level",
        "parmtype=debug:int", "alias=pci:v00008086d*", "depends=", "name=synthetic",
        "vermagic=6.1.0 SMP preempt mod_unload modversions " };
    write("plain.ko", base.build());
    ringside::fixtures::SyntheticModule symbols = base;
    symbols.versions = { { 0x12345678, "module_layout" }, { 0x9abcdef0, "printk" } };
    symbols.exports = { { "synthetic_hello", 0xdeadbeef } };
    symbols.undefined = { { "printk", false }, { "maybe_there", true } };
    Bytes with_symbols = symbols.build();
    write("symbols.ko", with_symbols);
    ringside::fixtures::SyntheticModule strings = base;
    strings.ksymtab_strings = { "exported_a", "exported_b" };
    write("ksymtab-strings.ko", strings.build());
    Bytes legacy = with_symbols;
    ringside::fixtures::append_signature(legacy, Bytes(16, 0xAB), 1, "Legacy signer", Bytes(8, 0x42), 4);
    write("legacy-signature.ko", legacy);
    write("symbols.ko.xz", xz(with_symbols));
    write("symbols.ko.zst", zst(with_symbols));
    write("symbols.ko.gz", gz(with_symbols));
    std::printf("%d\n", written);
    return 0;
}

int main(int argc, char** argv)
{
    if (argc == 3 && std::string(argv[1]) == "--synthetic") {
        out_dir = argv[2];
        return write_synthetic();
    }
    if (argc != 3) {
        std::fprintf(stderr, "usage: kmod_fixture_gen MODULE.ko OUTDIR | --synthetic OUTDIR\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    const Bytes module((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    out_dir = argv[2];
    const std::string magic = "~Module signature appended~\n";
    if (module.size() < 4096 || std::memcmp(module.data(), "\x7f" "ELF", 4) != 0
        || std::memcmp(module.data() + module.size() - magic.size(), magic.data(), magic.size()) != 0) {
        std::fprintf(stderr, "kmod_fixture_gen: %s is not a signed, uncompressed module\n", argv[1]);
        return 1;
    }
    const std::size_t trailer = module.size() - magic.size() - 12;
    const std::uint32_t sig_len = __builtin_bswap32(get<std::uint32_t>(module, trailer + 8));
    const std::size_t elf_size = trailer - sig_len;  // PKCS#7: no signer or key id blobs
    const std::vector<Section> all = sections(module);
    const Section& modinfo = section(all, ".modinfo");
    const std::uint16_t shstrndx = get<std::uint16_t>(module, 62);
    const Section& names = all[shstrndx];

    write("empty.ko", {});
    write("tiny.ko", { 0x7f, 'E', 'L' });
    write("not-elf.ko", Bytes(4096, 'x'));

    // Truncated everywhere before the end of the ELF part (after it, only the signature goes).
    for (int step = 1; step <= 40; ++step) {
        std::size_t at = elf_size * step / 41;
        write("truncated-" + std::to_string(at) + ".ko", Bytes(module.begin(), module.begin() + static_cast<long>(at)));
    }
    for (std::size_t at : { std::size_t(1), std::size_t(16), std::size_t(63), std::size_t(64), elf_size - 1 })
        write("truncated-" + std::to_string(at) + ".ko", Bytes(module.begin(), module.begin() + static_cast<long>(at)));

    auto variant = [&](const std::string& name, auto&& change) {
        Bytes copy = module;
        change(copy);
        write(name, copy);
    };
    variant("elf32.ko", [](Bytes& b) { b[4] = 1; });
    variant("big-endian.ko", [](Bytes& b) { b[5] = 2; });
    variant("shoff-past-end.ko", [&](Bytes& b) { put<std::uint64_t>(b, 40, b.size() - 16); });
    variant("shoff-overflow.ko", [](Bytes& b) { put<std::uint64_t>(b, 40, 0xFFFFFFFFFFFFFF00ull); });
    variant("shnum-absurd.ko", [](Bytes& b) { put<std::uint16_t>(b, 60, 0xFFFF); });
    variant("shentsize-wrong.ko", [](Bytes& b) { put<std::uint16_t>(b, 58, 40); });
    variant("shstrndx-out-of-range.ko", [](Bytes& b) { put<std::uint16_t>(b, 62, 0xFFF0); });
    variant("shstrtab-without-nul.ko", [&](Bytes& b) { b[names.offset + names.size - 1] = 'X'; });
    variant("shstrtab-past-end.ko", [&](Bytes& b) { put<std::uint64_t>(b, names.header + 24, b.size() + 4096); });
    variant("section-name-out-of-range.ko", [&](Bytes& b) { put<std::uint32_t>(b, modinfo.header, 0x00FFFFFF); });
    variant("modinfo-past-end.ko", [&](Bytes& b) { put<std::uint64_t>(b, modinfo.header + 24, b.size() + 100); });
    variant("modinfo-size-absurd.ko", [&](Bytes& b) { put<std::uint64_t>(b, modinfo.header + 32, 1ull << 62); });
    variant("modinfo-size-wraps.ko", [&](Bytes& b) { put<std::uint64_t>(b, modinfo.header + 32, ~0ull - 8); });
    variant("sections-overlap.ko", [&](Bytes& b) { put<std::uint64_t>(b, modinfo.header + 24, names.offset); });
    variant("section-over-header-table.ko", [&](Bytes& b) {
        put<std::uint64_t>(b, modinfo.header + 24, get<std::uint64_t>(b, 40));
    });
    variant("no-modinfo-section.ko", [&](Bytes& b) {
        std::size_t name_at = names.offset + get<std::uint32_t>(b, modinfo.header);
        b[name_at + 1] = 'X';  // ".modinfo" -> ".Xodinfo"
    });
    variant("sig-garbage-after-magic.ko", [](Bytes& b) {
        const char garbage[] = "garbage after the magic\n";
        b.insert(b.end(), garbage, garbage + sizeof garbage - 1);
    });
    variant("sig-trailer-bad-id-type.ko", [&](Bytes& b) { b[trailer + 2] = 7; });
    variant("sig-length-too-big.ko", [&](Bytes& b) { put<std::uint32_t>(b, trailer + 8, __builtin_bswap32(0x7FFFFFFF)); });
    variant("sig-pkcs7-garbage.ko", [&](Bytes& b) {
        for (std::size_t i = elf_size; i < trailer; ++i)
            b[i] = 0x55;
    });
    variant("sig-pkcs7-truncated.ko", [&](Bytes& b) {
        // The DER claims more than is there: keep the trailer, shorten the blob by half.
        std::size_t half = sig_len / 2;
        b.erase(b.begin() + static_cast<long>(elf_size + half), b.begin() + static_cast<long>(trailer));
        put<std::uint32_t>(b, elf_size + half + 8, __builtin_bswap32(static_cast<std::uint32_t>(half)));
    });

    // Compressed: corrupt in the middle, and cut short.
    struct Codec {
        const char* extension;
        Bytes (*compress)(const Bytes&);
    };
    for (const Codec& codec : { Codec { "xz", xz }, Codec { "zst", zst }, Codec { "gz", gz } }) {
        Bytes packed = codec.compress(module);
        Bytes corrupt = packed;
        corrupt_middle(corrupt);
        write(std::string("corrupt.ko.") + codec.extension, corrupt);
        write(std::string("truncated.ko.") + codec.extension, Bytes(packed.begin(), packed.begin() + static_cast<long>(packed.size() / 2)));
        write(std::string("header-only.ko.") + codec.extension, Bytes(packed.begin(), packed.begin() + 8));
        Bytes broken_inside = codec.compress(Bytes(module.begin(), module.begin() + static_cast<long>(elf_size / 2)));
        write(std::string("broken-elf-inside.ko.") + codec.extension, broken_inside);
    }

    // A decompression bomb: ~600 MiB of zeros as concatenated xz streams of a few KiB, and a
    // zstd frame announcing the same size.
    Bytes zeros(8u << 20, 0);
    Bytes stream = xz(zeros);
    Bytes bomb;
    for (int i = 0; i < 75; ++i)
        bomb.insert(bomb.end(), stream.begin(), stream.end());
    write("bomb.ko.xz", bomb);
    ZSTD_CCtx* context = ZSTD_createCCtx();
    ZSTD_CCtx_setPledgedSrcSize(context, 600ull << 20);
    Bytes zbomb(1u << 20);
    ZSTD_outBuffer zout { zbomb.data(), zbomb.size(), 0 };
    for (int i = 0; i < 75; ++i) {
        ZSTD_inBuffer zin { zeros.data(), zeros.size(), 0 };
        while (zin.pos < zin.size)
            ZSTD_compressStream2(context, &zout, &zin, i == 74 ? ZSTD_e_end : ZSTD_e_continue);
    }
    ZSTD_inBuffer none { nullptr, 0, 0 };
    while (ZSTD_compressStream2(context, &zout, &none, ZSTD_e_end) != 0) {
    }
    ZSTD_freeCCtx(context);
    zbomb.resize(zout.pos);
    write("bomb.ko.zst", zbomb);

    std::printf("%d\n", written);
    return 0;
}
