#include "daemon/config_loader.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>

using namespace pf::daemon;

namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        if (auto it = vars.find(name); it != vars.end()) return it->second;
        return std::nullopt;
    };
}

std::string error_of(const std::string& toml, const EnvLookup& env = env_of({})) {
    try {
        parse_config(toml, "test.toml", env);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("defaults hold when the file is empty") {
    const auto config = parse_config("", "test.toml", env_of({}));
    CHECK(config.scheduler.workers == 4);
    CHECK(config.scheduler.batch_size == 100);
    CHECK(config.scheduler.notify);
    CHECK(config.send.adapter == "file");
    CHECK(config.control.listen == "127.0.0.1:8470");
}

TEST_CASE("values are read per section") {
    const auto config = parse_config(R"(
[database]
url = "postgresql://app@db/prospectflow"
[scheduler]
workers = 8
batch_size = 250
poll_interval_ms = 500
lease_seconds = 60
notify = false
[send]
adapter = "log"
[adapters.file]
dir = "/var/lib/prospectflow/outbox"
[log]
level = "debug"
format = "json"
)",
                                     "test.toml", env_of({}));
    CHECK(config.database.url == "postgresql://app@db/prospectflow");
    CHECK(config.scheduler.workers == 8);
    CHECK(config.scheduler.batch_size == 250);
    CHECK_FALSE(config.scheduler.notify);
    CHECK(config.send.adapter == "log");
    CHECK(config.file_adapter.dir == "/var/lib/prospectflow/outbox");
    CHECK(config.log.format == "json");
}

TEST_CASE("bad configuration names the key and the problem") {
    CHECK(error_of("[scheduler]\nworkerz = 3\n").find("scheduler.workerz: unknown key") !=
          std::string::npos);
    CHECK(error_of("[nonsense]\n").find("nonsense: unknown key") != std::string::npos);
    CHECK(error_of("[scheduler]\nworkers = \"four\"\n")
              .find("scheduler.workers: expected an integer") != std::string::npos);
    CHECK(
        error_of("[scheduler]\nworkers = 0\n").find("scheduler.workers: value 0 is out of range") !=
        std::string::npos);
    CHECK(error_of("[scheduler]\nnotify = 1\n").find("scheduler.notify: expected true or false") !=
          std::string::npos);
    CHECK(error_of("[send]\nadapter = \"pigeon\"\n").find("send.adapter: 'pigeon' is not one of") !=
          std::string::npos);
    CHECK(error_of("scheduler = 3\n").find("scheduler: expected a table") != std::string::npos);
    CHECK(error_of("[adapters.file]\ndir = \"\"\n").find("adapters.file.dir: must not be empty") !=
          std::string::npos);
    // TOML syntax errors carry the line.
    CHECK(error_of("[scheduler\n").find("test.toml:1:") != std::string::npos);
}

TEST_CASE("secrets come from the environment or from files, never both silently") {
    const auto from_env =
        parse_config("[database]\nurl = \"postgresql://file@db/x\"\n", "test.toml",
                     env_of({{"PROSPECTFLOW_DATABASE_URL", "postgresql://env@db/x"}}));
    CHECK(from_env.database.url == "postgresql://env@db/x");

    const auto dir = std::filesystem::temp_directory_path() / "pf-config-test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "database-url") << "postgresql://cred@db/x\n";
        std::ofstream(dir / "empty");
    }
    const auto from_credentials =
        parse_config("[database]\nurl_file = \"database-url\"\n", "test.toml",
                     env_of({{"CREDENTIALS_DIRECTORY", dir.string()}}));
    CHECK(from_credentials.database.url == "postgresql://cred@db/x");

    CHECK(error_of("[database]\nurl_file = \"/nonexistent/secret\"\n")
              .find("database.url_file: cannot read secret file /nonexistent/secret") !=
          std::string::npos);
    CHECK(error_of("[database]\nurl_file = \"" + (dir / "empty").string() + "\"\n")
              .find("is empty") != std::string::npos);
    CHECK(error_of("[database]\nurl = \"x\"\nurl_file = \"y\"\n").find("not both") !=
          std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("systemd credentials are the fallback for the database URL and the control token") {
    const auto dir = std::filesystem::temp_directory_path() / "pf-credentials-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "database-url") << "postgresql://cred@db/x\n";
    std::ofstream(dir / "control-token") << "t0ken\n";
    const auto env = env_of({{"CREDENTIALS_DIRECTORY", dir.string()}});
    const auto defaults = parse_config("", "test.toml", env);
    CHECK(defaults.database.url == "postgresql://cred@db/x");
    CHECK(defaults.control.token == "t0ken");
    // Anything named explicitly wins over the credential.
    const auto named =
        parse_config("[database]\nurl = \"postgresql://file@db/x\"\n", "test.toml", env);
    CHECK(named.database.url == "postgresql://file@db/x");
    const auto from_env = parse_config(
        "", "test.toml",
        env_of({{"CREDENTIALS_DIRECTORY", dir.string()}, {"PROSPECTFLOW_CONTROL_TOKEN", "env"}}));
    CHECK(from_env.control.token == "env");
    // Without the credential files nothing is set.
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    CHECK(parse_config("", "test.toml", env).control.token.empty());
    std::ofstream(dir / "control-token");  // empty
    CHECK(error_of("", env).find("control-token is empty") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("send routes: per campaign or sender, checked") {
    const auto config = parse_config(R"(
[send]
adapter = "smtp"
[[send.routes]]
campaign = "11111111-0000-4000-8000-000000000a01"
adapter = "file"
[[send.routes]]
from_domain = "relay.example"
adapter = "http"
[adapters.http]
url = "https://relay.example/send"
)",
                                     "test.toml", env_of({}));
    REQUIRE(config.send.routes.size() == 2);
    CHECK(config.send.routes[0].adapter == "file");
    CHECK(config.send.routes[1].from_domain == "relay.example");
    CHECK(error_of("[send]\nroutes = 3\n").find("send.routes: expected an array of tables") !=
          std::string::npos);
    CHECK(error_of("[[send.routes]]\nadapter = \"file\"\n")
              .find("send.routes[0].campaign: a route needs") != std::string::npos);
    CHECK(error_of("[[send.routes]]\nfrom_domain = \"x.example\"\nadapter = \"pigeon\"\n")
              .find("send.routes[0].adapter: 'pigeon' is not one of") != std::string::npos);
    CHECK(error_of("[[send.routes]]\nfrom_domain = \"x.example\"\nadapter = \"http\"\n")
              .find("adapters.http.url: required") != std::string::npos);
    CHECK(error_of("[[send.routes]]\nfrom_domain = \"x.example\"\nadapter = \"file\"\nbogus = 1\n")
              .find("send.routes[0].bogus: unknown key") != std::string::npos);
}

TEST_CASE("adapters: max_connections per relay, a positive integer") {
    const auto defaults = parse_config("", "test.toml", env_of({}));
    CHECK(defaults.smtp_adapter.max_connections == 16);
    CHECK(defaults.http_adapter.max_connections == 32);
    const auto config = parse_config(
        "[adapters.smtp]\nmax_connections = 4\n[adapters.http]\nmax_connections = 100\n",
        "test.toml", env_of({}));
    CHECK(config.smtp_adapter.max_connections == 4);
    CHECK(config.http_adapter.max_connections == 100);
    CHECK(error_of("[adapters.smtp]\nmax_connections = 0\n") ==
          "test.toml: adapters.smtp.max_connections: value 0 is out of range [1, 1000]");
    CHECK(error_of("[adapters.http]\nmax_connections = -3\n") ==
          "test.toml: adapters.http.max_connections: value -3 is out of range [1, 1000]");
    CHECK(error_of("[adapters.http]\nmax_connections = \"8\"\n") ==
          "test.toml: adapters.http.max_connections: expected an integer, found a string");
    CHECK(error_of("[adapters.smtp]\nmax_connections = 2.5\n") ==
          "test.toml: adapters.smtp.max_connections: expected an integer, found a number");
}

TEST_CASE("listener keys: defaults per section, range-checked") {
    const auto defaults = parse_config("", "test.toml", env_of({}));
    CHECK(defaults.control.max_connections_per_client == 64);
    CHECK(defaults.tracking.max_connections_per_client == 256);
    CHECK(defaults.tracking.request_head_timeout_ms == 5000);
    CHECK(defaults.tracking.max_body_bytes == 1024 * 1024);
    const auto config = parse_config(
        "[control]\nio_threads = 1\n[tracking]\nrequest_head_timeout_ms = 1000\n"
        "max_header_bytes = 4096\nmax_connections = 20000\n",
        "test.toml", env_of({}));
    CHECK(config.control.io_threads == 1);
    CHECK(config.tracking.request_head_timeout_ms == 1000);
    CHECK(config.tracking.max_header_bytes == 4096);
    CHECK(config.tracking.max_connections == 20000);
    CHECK(error_of("[tracking]\nrequest_head_timeout_ms = 10\n") ==
          "test.toml: tracking.request_head_timeout_ms: value 10 is out of range [100, 300000]");
    CHECK(error_of("[control]\nio_threads = 0\n") ==
          "test.toml: control.io_threads: value 0 is out of range [1, 64]");
    CHECK(error_of("[control]\nmax_header_bytes = 100\n") ==
          "test.toml: control.max_header_bytes: value 100 is out of range [1024, 1048576]");
}

TEST_CASE("listen addresses") {
    CHECK(split_listen_address("127.0.0.1:8470")->port == 8470);
    CHECK(split_listen_address("[::1]:8470")->host == "::1");
    CHECK(split_listen_address("0.0.0.0:0")->port == 0);
    CHECK_FALSE(split_listen_address("8470"));
    CHECK_FALSE(split_listen_address("localhost:"));
    CHECK_FALSE(split_listen_address(":8470"));
    CHECK_FALSE(split_listen_address("localhost:65536"));
    CHECK_FALSE(split_listen_address("localhost:http"));
    CHECK(error_of("[control]\nlisten = \"localhost\"\n")
              .find("control.listen: expected HOST:PORT") != std::string::npos);
    CHECK(
        parse_config("[control]\nlisten = \"\"\n", "test.toml", env_of({})).control.listen.empty());
}

TEST_CASE("a secret never appears in a configuration error") {
    const auto message = error_of("[database]\nurl = \"postgresql://u:hunter2@db/x\"\nbogus = 1\n");
    CHECK(message.find("database.bogus") != std::string::npos);
    CHECK(message.find("hunter2") == std::string::npos);
}

TEST_CASE("the documented example configuration is valid") {
    const auto config = load_config(PF_SOURCE_DIR "/etc/prospectflowd.toml", env_of({}));
    CHECK(config.send.adapter == "file");
}
