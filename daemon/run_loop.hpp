#pragma once
// `prospectflowd run`: connect, check the schema, build the adapter, then
// serve until SIGTERM or SIGINT. SIGHUP re-reads the configuration.

#include <filesystem>
#include <optional>

#include "daemon/config.hpp"

namespace pf::daemon {

// Returns the process exit code.
int run_daemon(Config config, std::optional<std::filesystem::path> config_path);

}  // namespace pf::daemon
