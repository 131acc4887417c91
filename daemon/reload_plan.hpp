#pragma once
// What SIGHUP can apply to a running daemon, setting by setting. Every field
// of Config is listed once in reload_plan.cpp, either live or restart:
//
// - live: the log level and format at once; [scheduler], [send], [adapters.*],
//   [generators.openai] and tracking.unsubscribe_mailto through the fresh
//   engine, adapter and generators a reload builds;
// - restart: what is built once at start: the database URL the control port,
//   the tracking listener and the engine share; the control port and the
//   tracking listener (their addresses, token, secret, limits); the random
//   source (scheduler.seed); database settings read only at start.
//
// A reload keeps the running value of every restart setting, so what runs
// stays consistent (new emails link to the tracking listener that actually
// runs), and warns once per changed key. Keys are named, values never shown
// where they may be secrets. tests/unit/reload_plan_test.cpp checks that
// every key of etc/prospectflowd.toml is classified.

#include <string>
#include <string_view>
#include <vector>

#include "daemon/config.hpp"

namespace pf::daemon {

enum class Apply { live, restart };

struct SettingInfo {
    std::string_view key;  // dotted, as in the file; secrets by their value's name
    Apply apply;
};

// Every setting the daemon has, in the order of etc/prospectflowd.toml.
std::vector<SettingInfo> reload_settings();

// The keys that differ between the two and need a restart, in table order.
std::vector<std::string> settings_needing_restart(const Config& running, const Config& reloaded);

// The keys that differ and the reload applies.
std::vector<std::string> settings_applied_live(const Config& running, const Config& reloaded);

// `reloaded` with the running value of every restart setting: what a reload runs.
Config keep_restart_settings(const Config& running, Config reloaded);

// "SIGHUP: KEY changed; restart the daemon to apply it", and for a setting
// that the engine uses too, what new emails get until then.
std::string restart_warning(std::string_view key, const Config& running);

}  // namespace pf::daemon
