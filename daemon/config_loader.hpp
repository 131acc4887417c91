#pragma once
// Reads and checks the TOML configuration. Every problem names its key:
// unknown keys, wrong types, values out of range, unreadable secret files.
// Callers exit with kExitConfig (78) on ConfigError.

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "daemon/config.hpp"

namespace pf::daemon {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Reads an environment variable; injected so tests need not touch the real one.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

// Parses TOML text; `origin` names the file in messages.
Config parse_config(const std::string& toml_text, const std::string& origin, const EnvLookup& env);

Config load_config(const std::filesystem::path& file, const EnvLookup& env);

struct ListenAddress {
    std::string host;
    int port = 0;  // 0: any free port
};
// "127.0.0.1:8470", "[::1]:8470", "0.0.0.0:0"; nullopt when malformed.
std::optional<ListenAddress> split_listen_address(const std::string& text);

// Defaults plus environment overrides, for commands run without a file.
Config default_config(const EnvLookup& env);

}  // namespace pf::daemon
