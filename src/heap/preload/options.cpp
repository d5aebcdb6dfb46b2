#include "options.h"

namespace ringside::heap::rt {

constinit Options g_options {};

namespace {

char g_log_path[1024];

bool parse_value(const char* s, size_t n, bool& out)
{
    if (n == 1 && (s[0] == '1' || s[0] == '0')) {
        out = s[0] == '1';
        return true;
    }
    if (n == 3 && s[0] == 'y') {
        out = true;
        return true;
    }
    if (n == 2 && s[0] == 'n') {
        out = false;
        return true;
    }
    if (n == 4 && s[0] == 't') {
        out = true;
        return true;
    }
    if (n == 5 && s[0] == 'f') {
        out = false;
        return true;
    }
    return false;
}

bool parse_value(const char* s, size_t n, u64& out)
{
    u64 v = 0;
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + static_cast<u64>(s[i] - '0');
    }
    out = v;
    return true;
}

bool parse_value(const char* s, size_t n, str& out)
{
    if (n >= sizeof g_log_path)
        return false;
    copy_bytes(g_log_path, s, n);
    g_log_path[n] = 0;
    out = g_log_path;
    return true;
}

bool name_is(const char* s, size_t n, const char* name)
{
    size_t i = 0;
    for (; i < n && name[i]; ++i)
        if (s[i] != name[i])
            return false;
    return i == n && name[i] == 0;
}

}  // namespace

void parse_options(const char* text)
{
    if (!text)
        return;
    bool sample_given = false;
    bool rate_given = false;
    const char* p = text;
    while (*p) {
        const char* key = p;
        while (*p && *p != '=' && *p != ':')
            ++p;
        size_t key_len = static_cast<size_t>(p - key);
        const char* value = p;
        size_t value_len = 0;
        if (*p == '=') {
            value = ++p;
            while (*p && *p != ':')
                ++p;
            value_len = static_cast<size_t>(p - value);
        }
        if (*p == ':')
            ++p;
        u64 number;
        sample_given |= name_is(key, key_len, "guard_sample") && parse_value(value, value_len, number);
        rate_given |= name_is(key, key_len, "guard_max_rate") && parse_value(value, value_len, number);
#define HEAP_OPTION(type, name, dflt, help)                   \
    if (name_is(key, key_len, #name)) {                        \
        parse_value(value, value_len, g_options.name);         \
        continue;                                              \
    }
#include "options.inc"
#undef HEAP_OPTION
    }
    // The cap keeps the default sampling cheap in allocation-heavy threads; a rate asked for
    // explicitly (guard_sample=1 in tests and bug hunts) is taken as asked.
    if (sample_given && !rate_given)
        g_options.guard_max_rate = 0;
}

}  // namespace ringside::heap::rt
