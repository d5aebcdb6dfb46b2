#include "base/system_error.h"

#include <cerrno>
#include <cstring>

namespace ringside {

ErrorKind error_kind_from_errno(int errnum)
{
    switch (errnum) {
    case ENOENT:
    case ESRCH:
        return ErrorKind::NotFound;
    case EACCES:
    case EPERM:
        return ErrorKind::Permission;
    case EINVAL:
        return ErrorKind::InvalidArgument;
    case EFBIG:
    case ENOMEM:
        return ErrorKind::TooLarge;
    default:
        return ErrorKind::Io;
    }
}

Error system_error(const std::string& what, int errnum)
{
    return Error { error_kind_from_errno(errnum), what + ": " + std::strerror(errnum) };
}

}  // namespace ringside
