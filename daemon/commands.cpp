#include "daemon/commands.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <pqxx/pqxx>

#include "build_info.hpp"
#include "daemon/config_loader.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/logging.hpp"
#include "daemon/run_loop.hpp"
#include "db/connection.hpp"
#include "db/migrator.hpp"

namespace pf::daemon {
namespace {

Config config_from(const std::string& config_file) {
    return config_file.empty() ? default_config(process_environment())
                               : load_config(config_file, process_environment());
}

struct MigrateOptions {
    std::string database_url;
    std::string config_file;
    std::string migrations_dir;
    int lock_timeout_seconds = 300;
    bool status_only = false;
};

int migrate_command(const MigrateOptions& options) {
    auto config = config_from(options.config_file);
    setup_logging(config.log.level, config.log.format);
    if (!options.database_url.empty()) config.database.url = options.database_url;

    std::vector<db::MigrationScript> scripts;
    try {
        scripts = options.migrations_dir.empty()
                      ? db::embedded_migrations()
                      : db::load_migrations_from_dir(options.migrations_dir);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitFailure;
    }

    std::unique_ptr<pqxx::connection> connection;
    try {
        connection = db::connect(config.database.url);
    } catch (const db::DatabaseUnavailable& e) {
        spdlog::error("{}", e.what());
        return kExitUnavailable;
    }

    db::Migrator migrator(*connection, std::move(scripts),
                          std::chrono::seconds(options.lock_timeout_seconds));
    try {
        if (options.status_only) {
            const auto plan = migrator.status();
            std::cout << plan.applied_count << " applied, " << plan.pending.size() << " pending\n";
            for (const auto* script : plan.pending)
                std::cout << "pending: " << script->name.script << "\n";
            for (const auto& w : plan.warnings) std::cout << "warning: " << w << "\n";
            for (const auto& p : plan.problems) std::cout << "problem: " << p << "\n";
            return plan.problems.empty() ? kExitOk : kExitFailure;
        }
        const auto result = migrator.migrate();
        if (result.applied.empty()) {
            spdlog::info("schema is up to date: {} migration(s) applied, none pending",
                         result.already_applied);
        } else {
            spdlog::info("applied {} migration(s); {} were already applied", result.applied.size(),
                         result.already_applied);
        }
        return kExitOk;
    } catch (const db::MigrationError& e) {
        spdlog::error("{}", e.what());
        return kExitFailure;
    } catch (const pqxx::broken_connection& e) {
        spdlog::error("lost the database connection: {}", e.what());
        return kExitUnavailable;
    }
}

}  // namespace

int main_with_args(int argc, char** argv) {
    CLI::App app{"prospectflowd: the ProspectFlow campaign daemon"};
    app.require_subcommand(1);
    app.set_version_flag("--version", build_info::version);

    std::string run_config;
    auto* run = app.add_subcommand("run", "Run the daemon until SIGTERM or SIGINT");
    run->add_option("-c,--config", run_config, "TOML configuration file")->check(CLI::ExistingFile);

    MigrateOptions migrate;
    auto* migrate_cmd = app.add_subcommand(
        "migrate", "Apply pending schema migrations (Flyway-compatible) and exit");
    migrate_cmd->add_option(
        "--database-url", migrate.database_url,
        "libpq URI; else PROSPECTFLOW_DATABASE_URL, else the config's database.url");
    migrate_cmd->add_option("-c,--config", migrate.config_file, "TOML configuration file")
        ->check(CLI::ExistingFile);
    migrate_cmd->add_option(
        "--migrations-dir", migrate.migrations_dir,
        "Read V*.sql migrations from this directory instead of the ones built in");
    migrate_cmd
        ->add_option("--lock-timeout", migrate.lock_timeout_seconds,
                     "Seconds to wait for another migrator's lock")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
    migrate_cmd->add_flag("--status", migrate.status_only,
                          "Only report applied, pending and problem migrations");

    std::string check_config_file;
    auto* check = app.add_subcommand("check-config", "Validate a configuration file and exit");
    check->add_option("-c,--config", check_config_file, "TOML configuration file")->required();

    auto* version = app.add_subcommand("version", "Print the version and exit");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }

    try {
        if (*version) {
            std::cout << build_info::name << " " << build_info::version << "\n";
            return kExitOk;
        }
        if (*check) {
            load_config(check_config_file, process_environment());
            std::cout << check_config_file << ": configuration is valid\n";
            return kExitOk;
        }
        if (*migrate_cmd) return migrate_command(migrate);
        if (*run) {
            auto config = config_from(run_config);
            return run_daemon(std::move(config),
                              run_config.empty()
                                  ? std::nullopt
                                  : std::optional<std::filesystem::path>(run_config));
        }
    } catch (const ConfigError& e) {
        std::cerr << "configuration error: " << e.what() << "\n";
        return kExitConfig;
    }
    return kExitUsage;
}

}  // namespace pf::daemon
