#include "maps/process_info.h"

#include <clocale>
#include <langinfo.h>

#include "maps/smaps.h"
#include "maps/text_cursor.h"

namespace ringside::maps {

namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i)
{
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead < 0x80)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        code = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        code = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        code = lead & 0x07;
    } else {
        return 0;
    }
    if (i + length > text.size())
        return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80)
            return 0;
        code = code << 6 | (byte(i + k) & 0x3f);
    }
    if ((length == 3 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) || (length == 4 && (code < 0x10000 || code > 0x10ffff)))
        return 0;
    return length;
}

}  // namespace

Result<ProcessStatus> parse_status(std::string_view text)
{
    ProcessStatus status;
    bool saw_uid = false;
    LineSplitter lines(text);
    std::string_view line;
    while (lines.next(line)) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        std::string_view key = line.substr(0, colon);
        TextCursor value(line.substr(colon + 1));
        value.skip_spaces();
        std::uint64_t number = 0;
        if (key == "Name") {
            status.name = std::string(value.rest());
        } else if (key == "Tgid" && value.decimal(number)) {
            status.tgid = static_cast<pid_t>(number);
        } else if (key == "PPid" && value.decimal(number)) {
            status.ppid = static_cast<pid_t>(number);
        } else if (key == "Uid" && value.decimal(number)) {
            status.uid = static_cast<uid_t>(number);
            saw_uid = true;
        } else if (key == "VmRSS" && value.decimal(number)) {
            status.vm_rss_kb = number;
            status.has_mm = true;
        } else if (key == "VmSwap" && value.decimal(number)) {
            status.vm_swap_kb = number;
        }
    }
    if (!saw_uid)
        return Error { ErrorKind::Malformed, "status: no Uid line" };
    return status;
}

Result<ProcessStat> parse_stat(std::string_view text)
{
    // "PID (comm) S ppid ...": comm may hold spaces and ')' so it ends at the last ')'.
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return Error { ErrorKind::Malformed, "stat: no (comm)" };
    ProcessStat stat;
    stat.comm = std::string(text.substr(open + 1, close - open - 1));
    TextCursor cursor(text.substr(close + 1));
    cursor.skip_spaces();
    stat.state = cursor.peek();
    // After the state come fields 4.. ; startstack is field 28.
    int field = 3;
    while (!cursor.at_end() && field < 28) {
        cursor.until(' ');
        cursor.consume(' ');
        ++field;
    }
    if (field != 28 || !cursor.decimal(stat.start_stack))
        return Error { ErrorKind::Malformed, "stat: fewer than 28 fields" };
    return stat;
}

std::string join_cmdline(std::string_view raw)
{
    while (!raw.empty() && raw.back() == '\0')
        raw.remove_suffix(1);
    std::string out(raw);
    for (char& c : out)
        if (c == '\0')
            c = ' ';
    return out;
}

std::string procps_cmdline(std::string_view raw, const ProcessStat& stat, bool utf8_locale)
{
    std::string joined = join_cmdline(raw);
    if (joined.empty()) {
        std::string shown = "[" + stat.comm + "]";
        if (stat.state == 'Z')
            shown += " <defunct>";
        return shown;
    }
    for (char& c : joined)
        if (c == '\n')
            c = ' ';
    std::string out;
    out.reserve(joined.size());
    for (std::size_t i = 0; i < joined.size();) {
        unsigned char c = static_cast<unsigned char>(joined[i]);
        if (c < 0x20 || c == 0x7f) {
            out += utf8_locale ? '?' : '.';
            ++i;
            continue;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        std::size_t length = utf8_locale ? utf8_sequence_length(joined, i) : 0;
        if (length == 0) {
            out += '?';
            ++i;
        } else {
            out.append(joined, i, length);
            i += length;
        }
    }
    return out;
}

std::string procps_printable_name(std::string_view name, bool utf8_locale)
{
    std::string out;
    out.reserve(name.size());
    for (std::size_t i = 0; i < name.size();) {
        auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x80) {
            out += name[i++];
            continue;
        }
        std::size_t length = utf8_locale ? utf8_sequence_length(name, i) : 0;
        if (length == 0) {
            out += '?';
            ++i;
        } else {
            out.append(name.substr(i, length));
            i += length;
        }
    }
    return out;
}

bool locale_is_utf8()
{
    static const bool utf8 = [] {
        const char* previous = std::setlocale(LC_CTYPE, nullptr);
        std::string saved = previous ? previous : "C";
        bool result = false;
        if (std::setlocale(LC_CTYPE, "")) {
            std::string_view codeset = nl_langinfo(CODESET);
            result = codeset == "UTF-8" || codeset == "utf8";
        }
        std::setlocale(LC_CTYPE, saved.c_str());
        return result;
    }();
    return utf8;
}

}  // namespace ringside::maps
