#include "maps/user_names.h"

#include <pwd.h>
#include <vector>

namespace ringside::maps {

const std::string& UserNames::name(uid_t uid)
{
    auto found = m_names.find(uid);
    if (found != m_names.end())
        return found->second;
    passwd entry {};
    passwd* result = nullptr;
    std::vector<char> buffer(16384);
    std::string name = std::to_string(uid);
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result) == 0 && result)
        name = result->pw_name;
    return m_names.emplace(uid, std::move(name)).first->second;
}

}  // namespace ringside::maps
