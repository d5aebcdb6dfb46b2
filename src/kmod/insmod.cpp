#include "kmod/insmod.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "base/decompress.h"
#include "base/system_error.h"
#include "kmod/kernel_calls.h"
#include "kmod/module_file.h"

namespace ringside::kmod {

namespace {

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

std::string base_name(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string step_text(const std::string& call, int error)
{
    return call + ": " + (error ? std::strerror(error) : "OK");
}

// Elf64_Ehdr: e_shoff at 0x28, e_shentsize at 0x3a; Elf64_Shdr: sh_flags at +8.
constexpr std::uint64_t shf_alloc = 2;

// What kmod does when it must force through init_module: the kernel skips __versions when
// the section is not allocated, and skips the vermagic check when the string is gone.
Result<void> strip_for_force(std::vector<std::uint8_t>& image, bool vermagic, bool modversion)
{
    ByteReader reader(image, "module");
    auto elf = TRY(ElfFile::parse(image, "module"));
    if (modversion) {
        if (const ElfSection* versions = elf.find_section("__versions")) {
            std::uint64_t shoff = TRY(reader.u64(0x28, Endian::Little));
            std::uint16_t entsize = TRY(reader.u16(0x3a, Endian::Little));
            std::uint64_t flags_at = shoff + elf.section_index(*versions) * std::uint64_t(entsize) + 8;
            std::uint64_t flags = TRY(reader.u64(flags_at, Endian::Little));
            flags &= ~shf_alloc;
            std::memcpy(image.data() + flags_at, &flags, sizeof flags);  // offset checked by the read above
        }
    }
    if (vermagic) {
        if (const ElfSection* modinfo = elf.find_section(".modinfo")) {
            Bytes bytes = TRY(elf.section_bytes(*modinfo));
            std::size_t start = static_cast<std::size_t>(bytes.data() - image.data());
            std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            std::size_t at = 0;
            while (at < text.size()) {
                std::size_t end = text.find('\0', at);
                if (end == std::string_view::npos)
                    end = text.size();
                if (text.substr(at, end - at).starts_with("vermagic=")) {
                    std::memset(image.data() + start + at, 0, end - at);
                    break;
                }
                at = end + 1;
            }
        }
    }
    return {};
}

Result<int> insert_decompressed(const InsertRequest& request, InsertResult& result)
{
    auto module = TRY(ModuleFile::open(request.path));
    Bytes bytes = module.bytes();
    int error = 0;
    if (request.force_vermagic || request.force_modversion) {
        std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
        TRY_VOID(strip_for_force(copy, request.force_vermagic, request.force_modversion));
        error = call_init_module(copy, request.params);
    } else {
        error = call_init_module(bytes, request.params);
    }
    std::string what = "init_module(" + std::to_string(bytes.size()) + " bytes";
    if (module.compression() != Compression::None)
        what += std::string(", decompressed from ") + compression_name(module.compression());
    result.steps.push_back(step_text(what + ")", error));
    return error;
}

}  // namespace

Result<InsertResult> insert_module_file(const InsertRequest& request)
{
    InsertResult result;
    Fd file { ::open(request.path.c_str(), O_RDONLY | O_CLOEXEC) };
    if (file.fd < 0)
        return system_error(request.path, errno);
    std::uint8_t magic[6] = {};
    ssize_t got = ::pread(file.fd, magic, sizeof magic, 0);
    if (got < 0)
        return system_error(request.path, errno);
    Compression compression = detect_compression(Bytes(magic, static_cast<std::size_t>(got)));

    unsigned flags = (request.force_modversion ? module_init_ignore_modversions : 0)
        | (request.force_vermagic ? module_init_ignore_vermagic : 0);
    KernelLogWatch log;

    bool by_descriptor = compression == Compression::None || kernel_decompression(request.kernel) == compression;
    if (by_descriptor) {
        if (compression != Compression::None)
            flags |= module_init_compressed_file;
        result.error = call_finit_module(file.fd, request.params, flags);
        result.steps.push_back(step_text("finit_module(fd, flags=" + std::to_string(flags) + ")", result.error));
        bool kernel_cannot = result.error == ENOSYS;
        bool decompressor_refused = compression != Compression::None
            && (result.error == EINVAL || result.error == ENOEXEC || result.error == EOPNOTSUPP);
        if (kernel_cannot || decompressor_refused)
            result.error = TRY(insert_decompressed(request, result));
    } else {
        result.error = TRY(insert_decompressed(request, result));
    }
    result.kernel_messages = log.new_messages();
    return result;
}

std::string module_name_of_file(const std::string& path)
{
    if (auto module = ModuleFile::open(path)) {
        if (auto name = module->modinfo_value("name"); name && !name->empty())
            return std::string(*name);
    }
    std::string name = base_name(path);
    name = name.substr(0, name.find('.'));
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::string join_module_params(const std::vector<std::string>& args)
{
    std::string joined;
    for (const std::string& arg : args) {
        if (!joined.empty())
            joined += ' ';
        auto equals = arg.find('=');
        bool needs_quotes = equals != std::string::npos && arg.find(' ', equals) != std::string::npos
            && arg.find('"') == std::string::npos;
        if (needs_quotes)
            joined += arg.substr(0, equals + 1) + "\"" + arg.substr(equals + 1) + "\"";
        else
            joined += arg;
    }
    return joined;
}

std::vector<std::string> unknown_symbols_in_log(const std::vector<std::string>& kernel_messages)
{
    std::vector<std::string> symbols;
    const std::string marker = "Unknown symbol ";
    for (const std::string& line : kernel_messages) {
        auto at = line.find(marker);
        if (at == std::string::npos)
            continue;
        std::string rest = line.substr(at + marker.size());
        std::string symbol = rest.substr(0, rest.find(' '));
        if (!symbol.empty() && std::find(symbols.begin(), symbols.end(), symbol) == symbols.end())
            symbols.push_back(symbol);
    }
    return symbols;
}

std::vector<std::string> explain_insert_failure(int errnum, const std::string& path, const std::string& module,
    const std::vector<std::string>& kernel_messages, const SymbolOwnerLookup& owners)
{
    std::vector<std::string> lines;
    std::vector<std::string> about;  // the kernel's lines about this module
    for (const std::string& line : kernel_messages)
        if (line.starts_with(module + ":") || line.find(module) != std::string::npos)
            about.push_back(line);

    switch (errnum) {
    case ENOEXEC: {
        auto file = ModuleFile::open(path);
        if (!file) {
            lines.push_back("the file is not a usable module: " + file.error().message);
            break;
        }
        std::string release = running_kernel_release();
        auto vermagic = file->modinfo_value("vermagic");
        std::string built_for = vermagic ? std::string(vermagic->substr(0, vermagic->find(' '))) : "";
        if (!vermagic)
            lines.push_back("the module has no vermagic string, so the kernel cannot tell what it was built for");
        else if (!release.empty() && built_for != release)
            lines.push_back("the module was built for kernel " + built_for + " but this kernel is " + release
                + "; rebuild it against this kernel's headers (or force with -f, at your own risk)");
        else
            lines.push_back("the kernel refused the file's format (ELF layout, vermagic flags or signature); "
                            "its log line below says which");
        break;
    }
    case ENOENT: {
        auto symbols = unknown_symbols_in_log(kernel_messages);
        if (symbols.empty()) {
            lines.push_back("the module needs a symbol no loaded module exports, or a parameter it does not "
                            "have was given");
        }
        // Grouped by the module that exports them: "needs 63 symbols from jbd2 (jbd2_journal_start, ...)".
        std::vector<std::pair<std::string, std::vector<std::string>>> by_owner;
        for (const std::string& symbol : symbols) {
            std::vector<std::string> exporters = owners ? owners(symbol) : std::vector<std::string> {};
            std::string owner = exporters.empty() ? "" : exporters.front();
            auto group = std::find_if(by_owner.begin(), by_owner.end(), [&](const auto& g) { return g.first == owner; });
            if (group == by_owner.end())
                group = by_owner.insert(by_owner.end(), { owner, {} });
            group->second.push_back(symbol);
        }
        for (const auto& [owner, names] : by_owner) {
            std::string list;
            for (std::size_t i = 0; i < names.size() && i < 3; ++i)
                list += (i ? ", " : "") + names[i];
            if (names.size() > 3)
                list += ", ...";
            std::string count = std::to_string(names.size()) + (names.size() == 1 ? " symbol" : " symbols");
            if (owner.empty())
                lines.push_back("needs " + count + " that neither the kernel nor any module exports (" + list + ")");
            else
                lines.push_back("needs " + count + " exported by " + owner + " (" + list
                    + "), which is not loaded: load it first, or use modprobe, which loads dependencies");
        }
        break;
    }
    case EINVAL:
        lines.push_back("the kernel rejected a parameter or the module's symbol versions (built against "
                        "another kernel's symbols?)");
        break;
    case ESRCH:
        lines.push_back("the module was built against other versions of the kernel's symbols (modversions)");
        break;
    case EEXIST:
        lines.push_back("a module named " + module + " is already loaded");
        break;
    case EKEYREJECTED:
    case ENOKEY:
    case EBADMSG:
        lines.push_back("the kernel requires a valid signature from a trusted key and this module's was refused");
        break;
    case EPERM:
        lines.push_back("loading modules needs root (CAP_SYS_MODULE); it is also refused when "
                        "kernel.modules_disabled=1 or under lockdown");
        break;
    case EBUSY:
        lines.push_back("the module is being loaded or removed by someone else right now");
        break;
    case ENOSYS:
        lines.push_back("this kernel was built without loadable module support");
        break;
    default:
        lines.push_back(std::string("the kernel answered: ") + std::strerror(errnum));
        break;
    }
    constexpr std::size_t shown = 5;
    for (std::size_t i = 0; i < about.size() && i < shown; ++i)
        lines.push_back("kernel log: " + about[i]);
    if (about.size() > shown)
        lines.push_back("kernel log: ... and " + std::to_string(about.size() - shown) + " more lines (dmesg)");
    return lines;
}

}  // namespace ringside::kmod
