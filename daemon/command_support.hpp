#pragma once
// What the one-shot subcommands (migrate, dump) share: their configuration
// and their database connection.

#include <memory>
#include <pqxx/connection>
#include <string>

#include "daemon/config.hpp"

namespace pf::daemon {

// The configuration file's settings, else the defaults (with PROSPECTFLOW_*
// from the environment). Throws ConfigError.
Config file_or_default_config(const std::string& config_file);

// The configuration file's settings, else the defaults (with PROSPECTFLOW_*
// from the environment), logging set up from them, and --database-url over
// both when given. Throws ConfigError.
Config command_config(const std::string& config_file, const std::string& database_url);

// A connection, or nullptr after logging why there is none (exit 69).
std::unique_ptr<pqxx::connection> connect_or_log(const std::string& url);

}  // namespace pf::daemon
