#include "base/result.h"

namespace ringside {

const char* error_kind_name(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Io: return "io";
    case ErrorKind::NotFound: return "not-found";
    case ErrorKind::Permission: return "permission";
    case ErrorKind::Truncated: return "truncated";
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::TooLarge: return "too-large";
    case ErrorKind::InvalidArgument: return "invalid-argument";
    case ErrorKind::Internal: return "internal";
    }
    return "unknown";
}

}  // namespace ringside
