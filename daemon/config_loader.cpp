#include "daemon/config_loader.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "adapters/mailbox_secret.hpp"
#include "scheduler/instance_liveness.hpp"

namespace pf::daemon {
namespace {

// Each transfer in flight holds a socket: a bound well under the usual
// descriptor limit, and far above what a relay lets one client open.
constexpr long long kMaxRelayConnections = 1000;

std::string type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        default:
            return "a date or time";
    }
}

// Walks one TOML table, reading the keys its section knows and remembering
// them, so that finish() can name every key nobody asked for.
class SectionReader {
  public:
    SectionReader(const toml::table* table, std::string path, std::string origin)
        : table_(table), path_(std::move(path)), origin_(std::move(origin)) {}

    std::string key_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    [[noreturn]] void fail(std::string_view key, const std::string& problem) const {
        throw ConfigError(origin_ + ": " + key_path(key) + ": " + problem);
    }

    const toml::node* get(std::string_view key) {
        known_.emplace(key);
        return table_ ? table_->get(key) : nullptr;
    }

    void read(std::string_view key, std::string& out) {
        if (const auto* node = get(key)) {
            if (!node->is_string()) fail(key, "expected a string, found " + type_name(*node));
            out = node->value<std::string>().value();
        }
    }
    void read(std::string_view key, bool& out) {
        if (const auto* node = get(key)) {
            if (!node->is_boolean()) fail(key, "expected true or false, found " + type_name(*node));
            out = node->value<bool>().value();
        }
    }
    void read(std::string_view key, int& out, long long min, long long max) {
        if (const auto* node = get(key)) {
            if (!node->is_integer()) fail(key, "expected an integer, found " + type_name(*node));
            const auto value = node->value<long long>().value();
            if (value < min || value > max) {
                fail(key, "value " + std::to_string(value) + " is out of range [" +
                              std::to_string(min) + ", " + std::to_string(max) + "]");
            }
            out = static_cast<int>(value);
        }
    }
    void read(std::string_view key, double& out, double min, double max) {
        if (const auto* node = get(key)) {
            if (!node->is_number()) fail(key, "expected a number, found " + type_name(*node));
            const auto value = node->value<double>().value();
            if (value < min || value > max)
                fail(key, "value " + std::to_string(value) + " is out of range");
            out = value;
        }
    }
    bool present() const { return table_ != nullptr; }
    void read_choice(std::string_view key, std::string& out,
                     const std::vector<std::string>& allowed) {
        read(key, out);
        for (const auto& a : allowed)
            if (a == out) return;
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(key, "'" + out + "' is not one of: " + list);
    }

    SectionReader section(std::string_view key) {
        const auto* node = get(key);
        if (node && !node->is_table()) fail(key, "expected a table, found " + type_name(*node));
        return SectionReader(node ? node->as_table() : nullptr, key_path(key), origin_);
    }

    void finish() const {
        if (!table_) return;
        for (const auto& [key, node] : *table_) {
            if (!known_.contains(std::string(key.str()))) {
                (void)node;
                throw ConfigError(origin_ + ": " + key_path(key.str()) + ": unknown key");
            }
        }
    }

  private:
    const toml::table* table_;
    std::string path_;
    std::string origin_;
    std::set<std::string, std::less<>> known_;
};

// A secret read from a file: relative names are looked up in systemd's
// $CREDENTIALS_DIRECTORY when it is set (LoadCredential=). One trailing
// newline is dropped, as `echo secret > file` adds one.
std::string read_secret_file(const SectionReader& section, std::string_view key,
                             const std::string& name, const EnvLookup& env) {
    std::filesystem::path path(name);
    if (path.is_relative()) {
        if (const auto credentials = env("CREDENTIALS_DIRECTORY")) path = *credentials / path;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) section.fail(key, "cannot read secret file " + path.string());
    std::ostringstream content;
    content << in.rdbuf();
    auto secret = content.str();
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) section.fail(key, "secret file " + path.string() + " is empty");
    return secret;
}

// systemd credentials the unit loads (LoadCredential=NAME:...): used when the
// configuration names no other source, so one example config works both
// under systemd and for check-config run by hand.
std::optional<std::string> default_credential(const EnvLookup& env, const std::string& name) {
    const auto directory = env("CREDENTIALS_DIRECTORY");
    if (!directory || directory->empty()) return std::nullopt;
    const auto path = std::filesystem::path(*directory) / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("credential " + path.string() + " cannot be read");
    std::ostringstream content;
    content << in.rdbuf();
    auto secret = content.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.empty()) throw ConfigError("credential " + path.string() + " is empty");
    return secret;
}

// Where each secret comes from, strongest first: the environment variable,
// the configuration (value or file), systemd's credential of that name.
void apply_environment(Config& config, const EnvLookup& env) {
    if (auto url = env("PROSPECTFLOW_DATABASE_URL"); url && !url->empty())
        config.database.url = *url;
    else if (config.database.url.empty())
        if (auto url = default_credential(env, "database-url")) config.database.url = *url;
    if (auto token = env("PROSPECTFLOW_CONTROL_TOKEN"); token && !token->empty())
        config.control.token = *token;
    else if (config.control.token.empty())
        if (auto token = default_credential(env, "control-token")) config.control.token = *token;
    const auto secret = [&](std::string& target, const char* variable, const char* credential) {
        if (auto value = env(variable); value && !value->empty())
            target = *value;
        else if (target.empty())
            if (auto value = default_credential(env, credential)) target = *value;
    };
    secret(config.http_adapter.signing_secret, "PROSPECTFLOW_HTTP_SIGNING_SECRET",
           "http-signing-secret");
    secret(config.http_adapter.bearer_token, "PROSPECTFLOW_HTTP_TOKEN", "http-token");
    secret(config.openai.api_key, "PROSPECTFLOW_OPENAI_API_KEY", "openai-api-key");
    secret(config.tracking.webhook_secret, "PROSPECTFLOW_WEBHOOK_SECRET", "webhook-secret");
    if (!config.openai.api_key.empty()) config.openai.enabled = true;
    secret(config.mailboxes.oauth_client_secret, "PROSPECTFLOW_OAUTH_CLIENT_SECRET",
           "oauth-client-secret");
    auto& key = config.mailboxes;
    if (auto value = env("PROSPECTFLOW_MAILBOX_KEY"); value && !value->empty()) {
        key.secret_key = *value;
        key.key_origin = "PROSPECTFLOW_MAILBOX_KEY";
    } else if (key.secret_key.empty()) {
        if (auto value = default_credential(env, "mailbox-key")) {
            key.secret_key = *value;
            key.key_origin = "the systemd credential mailbox-key";
        }
    }
    if (!key.secret_key.empty()) {
        try {
            (void)adapters::MailboxKey::parse(key.secret_key, key.key_origin);
        } catch (const adapters::MailboxSecretError& e) {
            throw ConfigError(e.what());
        }
    }
    if (auto password = env("PROSPECTFLOW_SMTP_PASSWORD"); password && !password->empty())
        config.smtp_adapter.password = *password;
    else if (config.smtp_adapter.password.empty())
        if (auto password = default_credential(env, "smtp-password"))
            config.smtp_adapter.password = *password;
}

// The listener keys [control] and [tracking] share (HttpListener's knobs).
template <typename ListenerConfig>
void read_listener_keys(SectionReader& s, ListenerConfig& c) {
    s.read("max_body_bytes", c.max_body_bytes, 1, 64 * 1024 * 1024);
    s.read("timeout_seconds", c.timeout_seconds, 1, 300);
    s.read("io_threads", c.io_threads, 1, 64);
    s.read("worker_threads", c.worker_threads, 1, 256);
    s.read("request_head_timeout_ms", c.request_head_timeout_ms, 100, 300000);
    s.read("idle_timeout_ms", c.idle_timeout_ms, 100, 3600000);
    s.read("max_header_bytes", c.max_header_bytes, 1024, 1024 * 1024);
    s.read("max_requests_per_connection", c.max_requests_per_connection, 1, 1000000);
    s.read("max_connections_per_client", c.max_connections_per_client, 1, 1000000);
    s.read("max_connections", c.max_connections, 1, 1000000);
    s.read("shutdown_grace_ms", c.shutdown_grace_ms, 0, 300000);
}

void read_mailboxes(SectionReader s, MailboxesConfig& m, const EnvLookup& env) {
    std::string key_file, client_secret_file;
    s.read("secret_key_file", key_file);
    if (!key_file.empty()) {
        m.secret_key = read_secret_file(s, "secret_key_file", key_file, env);
        m.key_origin = "mailboxes.secret_key_file (" + key_file + ")";
    }
    s.read("max_connections", m.max_connections, 1, kMaxRelayConnections);
    s.read("connect_timeout_seconds", m.connect_timeout_seconds, 1, 600);
    s.read("timeout_seconds", m.timeout_seconds, 1, 3600);
    s.read("ca_file", m.ca_file);
    s.read("helo_domain", m.helo_domain);
    s.read("oauth_token_url", m.oauth_token_url);
    if (!m.oauth_token_url.empty() && m.oauth_token_url.rfind("https://", 0) != 0 &&
        m.oauth_token_url.rfind("http://", 0) != 0)
        s.fail("oauth_token_url", "expected https://…");
    s.read("oauth_client_id", m.oauth_client_id);
    s.read("oauth_client_secret_file", client_secret_file);
    if (!client_secret_file.empty())
        m.oauth_client_secret =
            read_secret_file(s, "oauth_client_secret_file", client_secret_file, env);
    s.read("retry_seconds", m.retry_seconds, 1, 86400);
    s.read("failures_to_error", m.failures_to_error, 1, 1000);
    s.finish();
}

void read_inbound(SectionReader s, InboundConfig& in) {
    s.read("enabled", in.enabled);
    s.read("idle", in.idle);
    s.read("poll_interval_seconds", in.poll_interval_seconds, 1, 86400);
    s.read("idle_reissue_seconds", in.idle_reissue_seconds, 10, 1740);
    s.read("max_mailboxes", in.max_mailboxes, 0, 10000);
    s.read("rescan_days", in.rescan_days, 1, 365);
    s.read("recent_recipient_days", in.recent_recipient_days, 1, 365);
    s.read("connect_timeout_seconds", in.connect_timeout_seconds, 1, 600);
    s.read("ca_file", in.ca_file);
    s.read("max_message_kib", in.max_message_kib, 16, 1024 * 1024);
    s.read("bounce_window_sends", in.bounce_window_sends, 1, 100000);
    s.read("bounce_window_days", in.bounce_window_days, 1, 365);
    s.read("bounce_pause_percent", in.bounce_pause_percent, 0.1, 100.0);
    s.finish();
}

Config read_config(const toml::table& root, const std::string& origin, const EnvLookup& env) {
    Config config;
    SectionReader top(&root, "", origin);

    {
        auto s = top.section("database");
        s.read("url", config.database.url);
        std::string url_file;
        s.read("url_file", url_file);
        if (!url_file.empty()) {
            if (!config.database.url.empty())
                s.fail("url_file", "set either database.url or database.url_file, not both");
            config.database.url = read_secret_file(s, "url_file", url_file, env);
        }
        s.read("migrate_on_start", config.database.migrate_on_start);
        s.read("connect_timeout_seconds", config.database.connect_timeout_seconds, 1, 3600);
        s.read("prepared_statements", config.database.prepared_statements);
        s.finish();
    }
    {
        auto s = top.section("scheduler");
        s.read("workers", config.scheduler.workers, 1, 256);
        s.read("batch_size", config.scheduler.batch_size, 1, 10000);
        s.read("poll_interval_ms", config.scheduler.poll_interval_ms, 10, 3600000);
        s.read("lease_seconds", config.scheduler.lease_seconds, 5, 86400);
        s.read("heartbeat_interval_seconds", config.scheduler.heartbeat_interval_seconds, 1, 600);
        s.read("instance_timeout_seconds", config.scheduler.instance_timeout_seconds, 2, 86400);
        if (const auto problem =
                scheduler::heartbeat_settings_problem(config.scheduler.heartbeat_interval_seconds,
                                                      config.scheduler.instance_timeout_seconds))
            s.fail("instance_timeout_seconds", *problem);
        s.read("notify", config.scheduler.notify);
        s.read("in_flight_chunk", config.scheduler.in_flight_chunk, 1, 10000);
        s.read_choice("unknown_outcome", config.scheduler.unknown_outcome, {"hold", "resend"});
        s.read("retry_base_ms", config.scheduler.retry_base_ms, 1, 86400000);
        s.read("retry_max_ms", config.scheduler.retry_max_ms, 1, 604800000);
        if (config.scheduler.retry_max_ms < config.scheduler.retry_base_ms)
            s.fail("retry_max_ms", "must be at least scheduler.retry_base_ms");
        s.read("shutdown_timeout_seconds", config.scheduler.shutdown_timeout_seconds, 1, 3600);
        if (const auto* node = s.get("seed")) {
            if (!node->is_integer())
                s.fail("seed", "expected an integer, found " + type_name(*node));
            config.scheduler.seed = node->value<long long>().value();
        }
        s.finish();
    }
    {
        auto s = top.section("send");
        // smtp and http arrive with the email work; until then they are refused here.
        s.read_choice("adapter", config.send.adapter, {"file", "log", "smtp", "http"});
        s.read("spacing_min_ms", config.send.spacing_min_ms, 0, 3600000);
        s.read("spacing_max_ms", config.send.spacing_max_ms, 0, 3600000);
        if (config.send.spacing_max_ms < config.send.spacing_min_ms)
            s.fail("spacing_max_ms", "must be at least send.spacing_min_ms");
        s.read("message_id_domain", config.send.message_id_domain);
        if (const auto* routes = s.get("routes")) {
            const auto* array = routes->as_array();
            if (!array || !array->is_array_of_tables())
                s.fail("routes", "expected an array of tables ([[send.routes]])");
            for (std::size_t i = 0; i < array->size(); ++i) {
                SectionReader rule(array->get(i)->as_table(),
                                   "send.routes[" + std::to_string(i) + "]", origin);
                RouteConfig r;
                rule.read("campaign", r.campaign);
                rule.read("from_email", r.from_email);
                rule.read("from_domain", r.from_domain);
                rule.read_choice("adapter", r.adapter, {"file", "log", "smtp", "http"});
                if (r.campaign.empty() && r.from_email.empty() && r.from_domain.empty())
                    rule.fail("campaign", "a route needs campaign, from_email or from_domain");
                rule.finish();
                config.send.routes.push_back(std::move(r));
            }
        }
        s.finish();
    }
    {
        auto adapters = top.section("adapters");
        auto file = adapters.section("file");
        file.read("dir", config.file_adapter.dir);
        if (config.file_adapter.dir.empty()) file.fail("dir", "must not be empty");
        file.finish();
        auto log = adapters.section("log");
        log.read("latency_ms", config.log_adapter.latency_ms, 0, 60000);
        log.finish();
        auto smtp = adapters.section("smtp");
        auto& sc = config.smtp_adapter;
        smtp.read("url", sc.url);
        if (sc.url.rfind("smtp://", 0) != 0 && sc.url.rfind("smtps://", 0) != 0)
            smtp.fail("url", "expected smtp://HOST[:PORT] or smtps://HOST[:PORT]");
        smtp.read("starttls", sc.starttls);
        smtp.read("username", sc.username);
        std::string password_file;
        smtp.read("password_file", password_file);
        if (!password_file.empty())
            sc.password = read_secret_file(smtp, "password_file", password_file, env);
        smtp.read("ca_file", sc.ca_file);
        smtp.read("helo_domain", sc.helo_domain);
        smtp.read("connect_timeout_seconds", sc.connect_timeout_seconds, 1, 600);
        smtp.read("timeout_seconds", sc.timeout_seconds, 1, 3600);
        smtp.read("max_connections", sc.max_connections, 1, kMaxRelayConnections);
        smtp.finish();
        auto http = adapters.section("http");
        auto& hc = config.http_adapter;
        http.read("url", hc.url);
        if (!hc.url.empty() && hc.url.rfind("http://", 0) != 0 && hc.url.rfind("https://", 0) != 0)
            http.fail("url", "expected http://… or https://…");
        std::string signing_file, token_file;
        http.read("signing_secret_file", signing_file);
        if (!signing_file.empty())
            hc.signing_secret = read_secret_file(http, "signing_secret_file", signing_file, env);
        http.read("bearer_token_file", token_file);
        if (!token_file.empty())
            hc.bearer_token = read_secret_file(http, "bearer_token_file", token_file, env);
        http.read("ca_file", hc.ca_file);
        http.read("connect_timeout_seconds", hc.connect_timeout_seconds, 1, 600);
        http.read("timeout_seconds", hc.timeout_seconds, 1, 3600);
        http.read("max_connections", hc.max_connections, 1, kMaxRelayConnections);
        http.finish();
        adapters.finish();
    }
    read_mailboxes(top.section("mailboxes"), config.mailboxes, env);
    read_inbound(top.section("inbound"), config.inbound);
    {
        auto generators = top.section("generators");
        auto s = generators.section("openai");
        auto& oc = config.openai;
        oc.enabled = s.present();
        s.read("base_url", oc.base_url);
        if (oc.base_url.rfind("http://", 0) != 0 && oc.base_url.rfind("https://", 0) != 0)
            s.fail("base_url", "expected http://… or https://…");
        while (!oc.base_url.empty() && oc.base_url.back() == '/') oc.base_url.pop_back();
        std::string key_file;
        s.read("api_key_file", key_file);
        if (!key_file.empty()) oc.api_key = read_secret_file(s, "api_key_file", key_file, env);
        s.read("timeout_seconds", oc.timeout_seconds, 1, 600);
        s.read("max_attempts", oc.max_attempts, 1, 10);
        s.read("retry_base_ms", oc.retry_base_ms, 0, 60000);
        s.read("temperature", oc.temperature, 0.0, 2.0);
        s.finish();
        generators.finish();
    }
    {
        auto s = top.section("control");
        s.read("listen", config.control.listen);
        if (!config.control.listen.empty() && !split_listen_address(config.control.listen))
            s.fail("listen", "expected HOST:PORT (port 0-65535), or \"\" for no control port");
        s.read("pause_wait_seconds", config.control.pause_wait_seconds, 0, 3600);
        read_listener_keys(s, config.control);
        std::string token_file;
        s.read("token_file", token_file);
        if (!token_file.empty())
            config.control.token = read_secret_file(s, "token_file", token_file, env);
        s.finish();
    }
    {
        auto s = top.section("tracking");
        s.read("listen", config.tracking.listen);
        if (!config.tracking.listen.empty() && !split_listen_address(config.tracking.listen))
            s.fail("listen", "expected HOST:PORT (port 0-65535), or \"\" for no tracking listener");
        s.read("base_url", config.tracking.base_url);
        while (!config.tracking.base_url.empty() && config.tracking.base_url.back() == '/')
            config.tracking.base_url.pop_back();
        if (config.tracking.base_url.rfind("http://", 0) != 0 &&
            config.tracking.base_url.rfind("https://", 0) != 0)
            s.fail("base_url", "expected http://… or https://…");
        s.read("unsubscribe_mailto", config.tracking.unsubscribe_mailto);
        std::string webhook_file;
        s.read("webhook_secret_file", webhook_file);
        if (!webhook_file.empty())
            config.tracking.webhook_secret =
                read_secret_file(s, "webhook_secret_file", webhook_file, env);
        s.read("flush_interval_ms", config.tracking.flush_interval_ms, 10, 60000);
        read_listener_keys(s, config.tracking);
        s.finish();
    }
    {
        auto s = top.section("log");
        s.read_choice("level", config.log.level,
                      {"trace", "debug", "info", "warn", "error", "critical", "off"});
        s.read_choice("format", config.log.format, {"text", "json"});
        s.finish();
    }
    top.finish();
    apply_environment(config, env);
    bool http_used = config.send.adapter == "http";
    for (const auto& r : config.send.routes) http_used = http_used || r.adapter == "http";
    if (http_used && config.http_adapter.url.empty())
        throw ConfigError(origin +
                          ": adapters.http.url: required when an email can go to the http adapter");
    return config;
}

}  // namespace

std::optional<ListenAddress> split_listen_address(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
    std::string host = text.substr(0, colon);
    const std::string port_text = text.substr(colon + 1);
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const int port = std::stoi(port_text);
    if (port > 65535) return std::nullopt;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);  // [::1]:8470
    if (host.empty()) return std::nullopt;
    return ListenAddress{host, port};
}

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        if (const char* value = std::getenv(name.c_str())) return std::string(value);
        return std::nullopt;
    };
}

Config parse_config(const std::string& toml_text, const std::string& origin, const EnvLookup& env) {
    toml::table root;
    try {
        root = toml::parse(toml_text, origin);
    } catch (const toml::parse_error& e) {
        throw ConfigError(origin + ":" + std::to_string(e.source().begin.line) + ":" +
                          std::to_string(e.source().begin.column) + ": " +
                          std::string(e.description()));
    }
    return read_config(root, origin, env);
}

Config load_config(const std::filesystem::path& file, const EnvLookup& env) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(file.string() + ": cannot read configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file.string(), env);
}

Config default_config(const EnvLookup& env) {
    Config config;
    apply_environment(config, env);
    return config;
}

}  // namespace pf::daemon
