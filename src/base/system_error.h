// Turning errno into our Error values, with the object that failed named.
#pragma once

#include <string>

#include "base/result.h"

namespace ringside {

ErrorKind error_kind_from_errno(int errnum);

// "<what>: <strerror(errnum)>" with a kind derived from errnum.
Error system_error(const std::string& what, int errnum);

}  // namespace ringside
