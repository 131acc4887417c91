#include "daemon/run_loop.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <pqxx/pqxx>

#include "adapters/file_sender.hpp"
#include "adapters/log_sender.hpp"
#include "build_info.hpp"
#include "daemon/config_loader.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/logging.hpp"
#include "db/connection.hpp"
#include "db/migrator.hpp"

namespace pf::daemon {
namespace {

std::string instance_id() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
    return std::string(host) + ":" + std::to_string(::getpid());
}

std::unique_ptr<adapters::SendAdapter> make_send_adapter(const Config& config) {
    if (config.send.adapter == "file")
        return std::make_unique<adapters::FileSender>(config.file_adapter.dir);
    if (config.send.adapter == "log") return std::make_unique<adapters::LogSender>();
    throw ConfigError("send.adapter: unknown adapter '" + config.send.adapter + "'");
}

// The schema this binary was built for must be the database's: refuse to run
// on a database with pending or tampered migrations rather than fail later on
// a missing column.
bool schema_is_ready(pqxx::connection& connection, bool migrate_on_start) {
    db::Migrator migrator(connection, db::embedded_migrations());
    if (migrate_on_start) {
        const auto result = migrator.migrate();
        spdlog::info("migrate on start: applied {} migration(s), {} already applied",
                     result.applied.size(), result.already_applied);
        return true;
    }
    const auto plan = migrator.status();
    for (const auto& warning : plan.warnings) spdlog::warn("{}", warning);
    for (const auto& problem : plan.problems) spdlog::error("schema: {}", problem);
    if (!plan.pending.empty()) {
        spdlog::error(
            "schema: {} migration(s) pending, first {}; run `prospectflowd migrate` or set "
            "database.migrate_on_start = true",
            plan.pending.size(), plan.pending.front()->name.script);
    }
    return plan.problems.empty() && plan.pending.empty();
}

}  // namespace

int run_daemon(Config config, std::optional<std::filesystem::path> config_path) {
    setup_logging(config.log.level, config.log.format);
    const auto instance = instance_id();
    spdlog::info("prospectflowd {} starting, instance {}", build_info::version, instance);

    std::unique_ptr<pqxx::connection> connection;
    try {
        connection = db::connect(config.database.url);
    } catch (const db::DatabaseUnavailable& e) {
        spdlog::error("{}", e.what());
        return kExitUnavailable;
    }
    spdlog::info("connected to {}", db::redact_database_url(config.database.url));

    try {
        if (!schema_is_ready(*connection, config.database.migrate_on_start)) return kExitFailure;
    } catch (const db::MigrationError& e) {
        spdlog::error("{}", e.what());
        return kExitFailure;
    }

    std::unique_ptr<adapters::SendAdapter> adapter;
    try {
        adapter = make_send_adapter(config);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitConfig;
    }

    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    int exit_code = kExitOk;

    std::function<void()> wait_for_signal = [&] {
        signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
            if (ec) return;
            if (signal_number == SIGHUP) {
                if (!config_path) {
                    spdlog::info("SIGHUP: no configuration file to reload");
                } else {
                    try {
                        auto reloaded = load_config(*config_path, process_environment());
                        setup_logging(reloaded.log.level, reloaded.log.format);
                        config.log = reloaded.log;
                        spdlog::info("SIGHUP: reloaded {} (log level {})", config_path->string(),
                                     config.log.level);
                    } catch (const ConfigError& e) {
                        // A bad edit must not take a running daemon down.
                        spdlog::error("SIGHUP: keeping the running configuration: {}", e.what());
                    }
                }
                wait_for_signal();
                return;
            }
            spdlog::info("received {}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
            io.stop();
        });
    };
    wait_for_signal();

    // The engine (claiming outreach.tasks) is not built yet: the loop keeps
    // the connection checked and says so, nothing more.
    boost::asio::steady_timer heartbeat(io);
    std::function<void()> schedule_heartbeat = [&] {
        heartbeat.expires_after(std::chrono::milliseconds(config.scheduler.poll_interval_ms));
        heartbeat.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            try {
                pqxx::nontransaction tx(*connection);
                const auto due = tx.exec(
                                       "SELECT count(*) FROM outreach.tasks WHERE status = "
                                       "'pending' AND run_at <= now()")[0][0]
                                     .as<long long>();
                spdlog::debug("idle: {} task(s) due; this build does not claim tasks", due);
            } catch (const pqxx::broken_connection& e) {
                spdlog::error("lost the database connection: {}", e.what());
                exit_code = kExitUnavailable;
                io.stop();
                return;
            }
            schedule_heartbeat();
        });
    };
    schedule_heartbeat();

    spdlog::info("ready: instance {}, adapter {}, {} worker(s), poll every {} ms", instance,
                 adapter->name(), config.scheduler.workers, config.scheduler.poll_interval_ms);
    io.run();
    spdlog::info("stopped");
    return exit_code;
}

}  // namespace pf::daemon
