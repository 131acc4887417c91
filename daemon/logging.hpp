#pragma once
// Process-wide logging: text to the terminal by default, or one JSON object
// per line (log.format = "json") for log shippers.

#include <string>

namespace pf::daemon {

void setup_logging(const std::string& level, const std::string& format);

}  // namespace pf::daemon
