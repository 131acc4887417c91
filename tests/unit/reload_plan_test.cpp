// What SIGHUP applies and what needs a restart (daemon/reload_plan): pure
// functions over Config, no daemon, no database.
#include "daemon/reload_plan.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "daemon/config_loader.hpp"

using namespace pf::daemon;

namespace {

// One change per setting, each to a value no default has. A setting added to
// reload_plan.cpp without a line here fails "every setting ... alone".
const std::map<std::string, std::function<void(Config&)>>& changes() {
    static const std::map<std::string, std::function<void(Config&)>> all = {
        {"database.url", [](Config& c) { c.database.url = "postgresql://u:s3cret@db2/pf"; }},
        {"database.migrate_on_start", [](Config& c) { c.database.migrate_on_start = true; }},
        {"database.connect_timeout_seconds",
         [](Config& c) { c.database.connect_timeout_seconds = 3; }},
        {"database.prepared_statements", [](Config& c) { c.database.prepared_statements = false; }},
        {"scheduler.workers", [](Config& c) { c.scheduler.workers = 9; }},
        {"scheduler.batch_size", [](Config& c) { c.scheduler.batch_size = 7; }},
        {"scheduler.poll_interval_ms", [](Config& c) { c.scheduler.poll_interval_ms = 77; }},
        {"scheduler.lease_seconds", [](Config& c) { c.scheduler.lease_seconds = 77; }},
        {"scheduler.heartbeat_interval_seconds",
         [](Config& c) { c.scheduler.heartbeat_interval_seconds = 2; }},
        {"scheduler.instance_timeout_seconds",
         [](Config& c) { c.scheduler.instance_timeout_seconds = 20; }},
        {"scheduler.notify", [](Config& c) { c.scheduler.notify = false; }},
        {"scheduler.in_flight_chunk", [](Config& c) { c.scheduler.in_flight_chunk = 3; }},
        {"scheduler.unknown_outcome", [](Config& c) { c.scheduler.unknown_outcome = "resend"; }},
        {"scheduler.retry_base_ms", [](Config& c) { c.scheduler.retry_base_ms = 5; }},
        {"scheduler.retry_max_ms", [](Config& c) { c.scheduler.retry_max_ms = 5000; }},
        {"scheduler.shutdown_timeout_seconds",
         [](Config& c) { c.scheduler.shutdown_timeout_seconds = 5; }},
        {"scheduler.seed", [](Config& c) { c.scheduler.seed = 42; }},
        {"send.adapter", [](Config& c) { c.send.adapter = "log"; }},
        {"mailboxes.secret_key", [](Config& c) { c.mailboxes.secret_key = "0123"; }},
        {"mailboxes.max_connections", [](Config& c) { c.mailboxes.max_connections = 3; }},
        {"mailboxes.connect_timeout_seconds",
         [](Config& c) { c.mailboxes.connect_timeout_seconds = 3; }},
        {"mailboxes.timeout_seconds", [](Config& c) { c.mailboxes.timeout_seconds = 3; }},
        {"mailboxes.ca_file", [](Config& c) { c.mailboxes.ca_file = "/ca.pem"; }},
        {"mailboxes.helo_domain", [](Config& c) { c.mailboxes.helo_domain = "mx.example"; }},
        {"mailboxes.oauth_token_url",
         [](Config& c) { c.mailboxes.oauth_token_url = "https://t.example/token"; }},
        {"mailboxes.oauth_client_id", [](Config& c) { c.mailboxes.oauth_client_id = "client"; }},
        {"mailboxes.oauth_client_secret",
         [](Config& c) { c.mailboxes.oauth_client_secret = "s3cret"; }},
        {"mailboxes.retry_seconds", [](Config& c) { c.mailboxes.retry_seconds = 3; }},
        {"mailboxes.failures_to_error", [](Config& c) { c.mailboxes.failures_to_error = 9; }},
        {"inbound.enabled", [](Config& c) { c.inbound.enabled = false; }},
        {"inbound.idle", [](Config& c) { c.inbound.idle = false; }},
        {"inbound.poll_interval_seconds", [](Config& c) { c.inbound.poll_interval_seconds = 7; }},
        {"inbound.idle_reissue_seconds", [](Config& c) { c.inbound.idle_reissue_seconds = 70; }},
        {"inbound.max_mailboxes", [](Config& c) { c.inbound.max_mailboxes = 7; }},
        {"inbound.rescan_days", [](Config& c) { c.inbound.rescan_days = 7; }},
        {"inbound.recent_recipient_days", [](Config& c) { c.inbound.recent_recipient_days = 7; }},
        {"inbound.connect_timeout_seconds",
         [](Config& c) { c.inbound.connect_timeout_seconds = 7; }},
        {"inbound.ca_file", [](Config& c) { c.inbound.ca_file = "/imap-ca.pem"; }},
        {"inbound.max_message_kib", [](Config& c) { c.inbound.max_message_kib = 70; }},
        {"inbound.bounce_window_sends", [](Config& c) { c.inbound.bounce_window_sends = 70; }},
        {"inbound.bounce_window_days", [](Config& c) { c.inbound.bounce_window_days = 70; }},
        {"inbound.bounce_pause_percent", [](Config& c) { c.inbound.bounce_pause_percent = 7.5; }},
        {"send.spacing_min_ms", [](Config& c) { c.send.spacing_min_ms = 1; }},
        {"send.spacing_max_ms", [](Config& c) { c.send.spacing_max_ms = 9999; }},
        {"send.message_id_domain", [](Config& c) { c.send.message_id_domain = "mx.example"; }},
        {"send.routes",
         [](Config& c) {
             c.send.routes.push_back({"", "", "a.example", "log"});
         }},
        {"adapters.file.dir", [](Config& c) { c.file_adapter.dir = "/tmp/elsewhere"; }},
        {"adapters.log.latency_ms", [](Config& c) { c.log_adapter.latency_ms = 5; }},
        {"adapters.smtp.url", [](Config& c) { c.smtp_adapter.url = "smtps://relay:465"; }},
        {"adapters.smtp.starttls", [](Config& c) { c.smtp_adapter.starttls = false; }},
        {"adapters.smtp.username", [](Config& c) { c.smtp_adapter.username = "me"; }},
        {"adapters.smtp.password", [](Config& c) { c.smtp_adapter.password = "pw"; }},
        {"adapters.smtp.ca_file", [](Config& c) { c.smtp_adapter.ca_file = "/ca.pem"; }},
        {"adapters.smtp.helo_domain", [](Config& c) { c.smtp_adapter.helo_domain = "h.example"; }},
        {"adapters.smtp.connect_timeout_seconds",
         [](Config& c) { c.smtp_adapter.connect_timeout_seconds = 2; }},
        {"adapters.smtp.timeout_seconds", [](Config& c) { c.smtp_adapter.timeout_seconds = 2; }},
        {"adapters.http.url", [](Config& c) { c.http_adapter.url = "https://api.example"; }},
        {"adapters.http.signing_secret", [](Config& c) { c.http_adapter.signing_secret = "k"; }},
        {"adapters.http.bearer_token", [](Config& c) { c.http_adapter.bearer_token = "t"; }},
        {"adapters.http.ca_file", [](Config& c) { c.http_adapter.ca_file = "/ca.pem"; }},
        {"adapters.http.connect_timeout_seconds",
         [](Config& c) { c.http_adapter.connect_timeout_seconds = 2; }},
        {"adapters.http.timeout_seconds", [](Config& c) { c.http_adapter.timeout_seconds = 2; }},
        {"adapters.http.max_connections", [](Config& c) { c.http_adapter.max_connections = 2; }},
        {"adapters.smtp.max_connections", [](Config& c) { c.smtp_adapter.max_connections = 2; }},
        {"generators.openai", [](Config& c) { c.openai.enabled = true; }},
        {"generators.openai.base_url", [](Config& c) { c.openai.base_url = "http://llm:1/v1"; }},
        {"generators.openai.api_key", [](Config& c) { c.openai.api_key = "sk-x"; }},
        {"generators.openai.timeout_seconds", [](Config& c) { c.openai.timeout_seconds = 2; }},
        {"generators.openai.max_attempts", [](Config& c) { c.openai.max_attempts = 1; }},
        {"generators.openai.retry_base_ms", [](Config& c) { c.openai.retry_base_ms = 2; }},
        {"generators.openai.temperature", [](Config& c) { c.openai.temperature = 0.1; }},
        {"control.listen", [](Config& c) { c.control.listen = "127.0.0.1:9000"; }},
        {"control.token", [](Config& c) { c.control.token = "s3cret-token"; }},
        {"control.pause_wait_seconds", [](Config& c) { c.control.pause_wait_seconds = 1; }},
        {"control.max_body_bytes", [](Config& c) { c.control.max_body_bytes = 10; }},
        {"control.timeout_seconds", [](Config& c) { c.control.timeout_seconds = 1; }},
        {"control.io_threads", [](Config& c) { c.control.io_threads = 3; }},
        {"control.worker_threads", [](Config& c) { c.control.worker_threads = 3; }},
        {"control.request_head_timeout_ms",
         [](Config& c) { c.control.request_head_timeout_ms = 3; }},
        {"control.idle_timeout_ms", [](Config& c) { c.control.idle_timeout_ms = 3; }},
        {"control.max_header_bytes", [](Config& c) { c.control.max_header_bytes = 3; }},
        {"control.max_requests_per_connection",
         [](Config& c) { c.control.max_requests_per_connection = 3; }},
        {"control.max_connections_per_client",
         [](Config& c) { c.control.max_connections_per_client = 3; }},
        {"control.max_connections", [](Config& c) { c.control.max_connections = 3; }},
        {"control.shutdown_grace_ms", [](Config& c) { c.control.shutdown_grace_ms = 3; }},
        {"tracking.listen", [](Config& c) { c.tracking.listen = "127.0.0.1:9001"; }},
        {"tracking.base_url", [](Config& c) { c.tracking.base_url = "https://t.example"; }},
        {"tracking.unsubscribe_mailto",
         [](Config& c) { c.tracking.unsubscribe_mailto = "u@example.com"; }},
        {"tracking.webhook_secret", [](Config& c) { c.tracking.webhook_secret = "whs"; }},
        {"tracking.flush_interval_ms", [](Config& c) { c.tracking.flush_interval_ms = 11; }},
        {"tracking.max_body_bytes", [](Config& c) { c.tracking.max_body_bytes = 3; }},
        {"tracking.timeout_seconds", [](Config& c) { c.tracking.timeout_seconds = 3; }},
        {"tracking.io_threads", [](Config& c) { c.tracking.io_threads = 3; }},
        {"tracking.worker_threads", [](Config& c) { c.tracking.worker_threads = 3; }},
        {"tracking.request_head_timeout_ms",
         [](Config& c) { c.tracking.request_head_timeout_ms = 3; }},
        {"tracking.idle_timeout_ms", [](Config& c) { c.tracking.idle_timeout_ms = 3; }},
        {"tracking.max_header_bytes", [](Config& c) { c.tracking.max_header_bytes = 3; }},
        {"tracking.max_requests_per_connection",
         [](Config& c) { c.tracking.max_requests_per_connection = 3; }},
        {"tracking.max_connections_per_client",
         [](Config& c) { c.tracking.max_connections_per_client = 3; }},
        {"tracking.max_connections", [](Config& c) { c.tracking.max_connections = 3; }},
        {"tracking.shutdown_grace_ms", [](Config& c) { c.tracking.shutdown_grace_ms = 3; }},
        {"log.level", [](Config& c) { c.log.level = "debug"; }},
        {"log.format", [](Config& c) { c.log.format = "json"; }},
    };
    return all;
}

Apply apply_of(const std::string& key) {
    for (const auto& s : reload_settings())
        if (s.key == key) return s.apply;
    FAIL("not in reload_settings(): " << key);
    return Apply::live;
}

// The keys etc/prospectflowd.toml documents (set or commented out), named as
// reload_plan names them: a secret by its value (token_file: token), every
// [[send.routes]] key as send.routes.
std::set<std::string> documented_keys() {
    std::ifstream in(PF_SOURCE_DIR "/etc/prospectflowd.toml");
    REQUIRE(in);
    const std::regex header(R"(^#?\s*\[\[?([a-z_.]+)\]\]?\s*$)");
    const std::regex key_line(R"(^#?\s?([a-z_]+) = )");
    std::set<std::string> keys;
    std::string section, line;
    std::smatch m;
    while (std::getline(in, line)) {
        if (std::regex_match(line, m, header)) {
            section = m[1];
        } else if (std::regex_search(line, m, key_line) && !section.empty()) {
            std::string key = m[1];
            if (key.ends_with("_file") && key != "ca_file") key.resize(key.size() - 5);
            keys.insert(section == "send.routes" ? section : section + "." + key);
        }
    }
    // The section itself turns the generator on ("Without this section ...").
    keys.insert("generators.openai");
    return keys;
}

}  // namespace

TEST_CASE("reload: equal configurations need no restart and change nothing") {
    const Config defaults;
    CHECK(settings_needing_restart(defaults, defaults).empty());
    CHECK(settings_applied_live(defaults, defaults).empty());
    const auto example = load_config(PF_SOURCE_DIR "/etc/prospectflowd.toml",
                                     [](auto&) { return std::optional<std::string>(); });
    CHECK(settings_needing_restart(example, example).empty());
    CHECK(settings_applied_live(example, example).empty());
}

TEST_CASE("reload: every setting changed alone is named, as restart or live, and only it") {
    const Config running;
    std::set<std::string> tested;
    for (const auto& [key, change] : changes()) {
        CAPTURE(key);
        Config reloaded = running;
        change(reloaded);
        const auto restart = settings_needing_restart(running, reloaded);
        const auto live = settings_applied_live(running, reloaded);
        const auto expected = std::vector<std::string>{key};
        if (apply_of(key) == Apply::restart) {
            CHECK(restart == expected);
            CHECK(live.empty());
        } else {
            CHECK(live == expected);
            CHECK(restart.empty());
        }
        tested.insert(key);
    }
    for (const auto& s : reload_settings())
        CHECK_MESSAGE(tested.contains(std::string(s.key)), s.key);
}

TEST_CASE("reload: what needs a restart") {
    std::vector<std::string> restart;
    for (const auto& s : reload_settings())
        if (s.apply == Apply::restart) restart.emplace_back(s.key);
    CHECK(restart == std::vector<std::string>{"database.url",
                                              "database.migrate_on_start",
                                              "database.connect_timeout_seconds",
                                              "database.prepared_statements",
                                              "scheduler.seed",
                                              "inbound.enabled",
                                              "inbound.idle",
                                              "inbound.poll_interval_seconds",
                                              "inbound.idle_reissue_seconds",
                                              "inbound.max_mailboxes",
                                              "inbound.rescan_days",
                                              "inbound.recent_recipient_days",
                                              "inbound.connect_timeout_seconds",
                                              "inbound.ca_file",
                                              "inbound.max_message_kib",
                                              "inbound.bounce_window_sends",
                                              "inbound.bounce_window_days",
                                              "inbound.bounce_pause_percent",
                                              "control.listen",
                                              "control.token",
                                              "control.pause_wait_seconds",
                                              "control.max_body_bytes",
                                              "control.timeout_seconds",
                                              "control.io_threads",
                                              "control.worker_threads",
                                              "control.request_head_timeout_ms",
                                              "control.idle_timeout_ms",
                                              "control.max_header_bytes",
                                              "control.max_requests_per_connection",
                                              "control.max_connections_per_client",
                                              "control.max_connections",
                                              "control.shutdown_grace_ms",
                                              "tracking.listen",
                                              "tracking.base_url",
                                              "tracking.webhook_secret",
                                              "tracking.flush_interval_ms",
                                              "tracking.max_body_bytes",
                                              "tracking.timeout_seconds",
                                              "tracking.io_threads",
                                              "tracking.worker_threads",
                                              "tracking.request_head_timeout_ms",
                                              "tracking.idle_timeout_ms",
                                              "tracking.max_header_bytes",
                                              "tracking.max_requests_per_connection",
                                              "tracking.max_connections_per_client",
                                              "tracking.max_connections",
                                              "tracking.shutdown_grace_ms"});
}

TEST_CASE("reload: every key of the example configuration is classified") {
    std::set<std::string> classified;
    for (const auto& s : reload_settings()) classified.emplace(s.key);
    CHECK(documented_keys() == classified);
}

TEST_CASE("reload: restart settings keep their running value, live ones take the new one") {
    Config running;
    Config reloaded;
    for (const auto& [key, change] : changes()) change(reloaded);
    const auto next = keep_restart_settings(running, reloaded);
    CHECK(settings_needing_restart(running, next).empty());
    CHECK(settings_applied_live(reloaded, next).empty());
    CHECK(next.tracking.base_url == running.tracking.base_url);
    CHECK(next.tracking.listen == running.tracking.listen);
    CHECK(next.control.token == running.control.token);
    CHECK(next.scheduler.workers == 9);
    CHECK(next.tracking.unsubscribe_mailto == "u@example.com");
}

TEST_CASE("reload: the warning names the key, never a secret, and what emails get meanwhile") {
    Config running;
    running.control.token = "s3cret-token";
    running.database.url = "postgresql://u:s3cret@db/pf";
    for (const auto& s : reload_settings()) {
        CAPTURE(s.key);
        const auto text = restart_warning(s.key, running);
        CHECK(text.starts_with("SIGHUP: " + std::string(s.key) +
                               " changed; restart the daemon to apply it"));
        CHECK(text.find("s3cret") == std::string::npos);
    }
    CHECK(restart_warning("tracking.base_url", running) ==
          "SIGHUP: tracking.base_url changed; restart the daemon to apply it (new emails keep "
          "linking to http://127.0.0.1:8471)");
    CHECK(restart_warning("tracking.listen", running) ==
          "SIGHUP: tracking.listen changed; restart the daemon to apply it (the running listener "
          "stays, and new emails keep linking to http://127.0.0.1:8471)");
    running.tracking.listen = "";
    CHECK(restart_warning("tracking.listen", running).find("no tracking listener runs") !=
          std::string::npos);
    CHECK(restart_warning("control.listen", running) ==
          "SIGHUP: control.listen changed; restart the daemon to apply it");
}
