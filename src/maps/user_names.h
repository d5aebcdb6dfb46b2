// uid -> user name, looked up once per uid (getpwuid_r reads /etc/passwd or NSS each time).
#pragma once

#include <string>
#include <sys/types.h>
#include <unordered_map>

namespace ringside::maps {

class UserNames {
public:
    // The name, or the number as text when the uid has no passwd entry.
    const std::string& name(uid_t uid);

private:
    std::unordered_map<uid_t, std::string> m_names;
};

}  // namespace ringside::maps
