#include "daemon/commands.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <pqxx/pqxx>

#include "build_info.hpp"
#include "daemon/command_support.hpp"
#include "daemon/config_loader.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/logging.hpp"
#include "daemon/mailbox_commands.hpp"
#include "daemon/replay_commands.hpp"
#include "daemon/run_loop.hpp"
#include "daemon/schedule_preview_command.hpp"
#include "db/connection.hpp"
#include "db/migrator.hpp"

namespace pf::daemon {
namespace {

struct MigrateOptions {
    std::string database_url;
    std::string config_file;
    std::string migrations_dir;
    int lock_timeout_seconds = 300;
    bool status_only = false;
};

int migrate_command(const MigrateOptions& options) {
    const auto config = command_config(options.config_file, options.database_url);

    std::vector<db::MigrationScript> scripts;
    try {
        scripts = options.migrations_dir.empty()
                      ? db::embedded_migrations()
                      : db::load_migrations_from_dir(options.migrations_dir);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitFailure;
    }

    const auto connection = connect_or_log(config.database.url);
    if (!connection) return kExitUnavailable;

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

    DumpOptions dump;
    auto* dump_cmd = app.add_subcommand(
        "dump", "Write one organisation's (or campaign's) queue to a replay fixture (JSON)");
    dump_cmd->add_option(
        "--database-url", dump.database_url,
        "libpq URI; else PROSPECTFLOW_DATABASE_URL, else the config's database.url");
    dump_cmd->add_option("-c,--config", dump.config_file, "TOML configuration file")
        ->check(CLI::ExistingFile);
    dump_cmd->add_option("--organisation", dump.organisation, "Organisation id or slug")
        ->required();
    dump_cmd->add_option("--campaign", dump.campaigns,
                         "Only this campaign (repeatable); default: all of the organisation's");
    dump_cmd->add_option("-o,--output", dump.output, "Fixture file (default: standard output)");
    dump_cmd->add_option("--at", dump.at,
                         "Record this time as recorded_at (where a replay starts), RFC 3339");
    dump_cmd->add_flag("--redact", dump.redact,
                       "Replace personal data with stable pseudonyms (HMAC-SHA256)");
    dump_cmd->add_option("--redact-key", dump.redact_key,
                         "Key of the pseudonyms; else PROSPECTFLOW_REDACT_KEY");

    ReplayCommandOptions replay;
    auto* replay_cmd = app.add_subcommand(
        "replay", "Replay a fixture on a virtual clock and print its transcript (JSON lines)");
    replay_cmd->add_option("fixture", replay.fixture, "Fixture file")
        ->required()
        ->check(CLI::ExistingFile);
    replay_cmd->add_option(
        "--database-url", replay.database_url,
        "Make the scratch database on this server; default: an embedded cluster");
    replay_cmd->add_option(
        "--from", replay.from,
        "Start here (RFC 3339); default: the fixture's replay.from or recorded_at");
    replay_cmd->add_option("--until", replay.until,
                           "End at this time, or after this long (14d, 36h, 1d12h)");
    replay_cmd->add_option("--transcript", replay.transcript,
                           "Write the transcript here (default: standard output)");
    replay_cmd->add_flag("--keep-database", replay.keep_database,
                         "With --database-url: keep the scratch database for inspection");

    MailboxCommandOptions mailbox;
    auto* mailbox_cmd = add_mailbox_commands(app, mailbox);
    SchedulePreviewOptions preview;
    auto* preview_cmd = app.add_subcommand(
        "schedule-preview",
        "Print when each step of a new enrollment of a campaign would go, per zone and holiday "
        "calendar");
    preview_cmd->add_option("--campaign", preview.campaign, "Campaign id")->required();
    preview_cmd->add_option("--organisation", preview.organisation,
                            "Organisation id or slug (when the campaign id is not enough)");
    preview_cmd->add_option("--from", preview.from,
                            "Enrolled at this time (RFC 3339) or date (YYYY-MM-DD: midnight in "
                            "the campaign's zone); default now");
    preview_cmd->add_option(
        "--database-url", preview.database_url,
        "libpq URI; else PROSPECTFLOW_DATABASE_URL, else the config's database.url");
    preview_cmd->add_option("-c,--config", preview.config_file, "TOML configuration file")
        ->check(CLI::ExistingFile);

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
        if (*dump_cmd) return dump_command(dump);
        if (*replay_cmd) return replay_command(replay);
        if (*mailbox_cmd) return mailbox_command(*mailbox_cmd, mailbox);
        if (*preview_cmd) return schedule_preview_command(preview);
        if (*run) {
            auto config = file_or_default_config(run_config);
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
