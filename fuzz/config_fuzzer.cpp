// fuzz_config: daemon/config_loader's parse_config over a TOML text, with an
// empty environment (so ${VAR} references and *_env keys find nothing).
// ConfigError is the documented failure; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "daemon/config_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const pf::daemon::EnvLookup no_environment =
        [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)pf::daemon::parse_config(text, "fuzz.toml", no_environment);
    } catch (const pf::daemon::ConfigError&) {
    }
    return 0;
}
