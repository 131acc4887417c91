#include "daemon/run_loop.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <pqxx/pqxx>

#include "adapters/file_sender.hpp"
#include "adapters/http_sender.hpp"
#include "adapters/log_sender.hpp"
#include "adapters/smtp_sender.hpp"
#include "build_info.hpp"
#include "daemon/config_loader.hpp"
#include "daemon/control_api.hpp"
#include "daemon/control_server.hpp"
#include "daemon/engine_handle.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/logging.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/tracking_server.hpp"
#include "db/connection.hpp"
#include "db/migrator.hpp"
#include "scheduler/engine.hpp"

namespace pf::daemon {
namespace {

std::string instance_id() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
    return std::string(host) + ":" + std::to_string(::getpid());
}

adapters::GeneratorSet make_generators(const Config& config) {
    adapters::GeneratorSet set;
    set.add("template", std::make_unique<adapters::TemplateGenerator>());
    if (config.openai.enabled) {
        const auto& c = config.openai;
        set.add("openai",
                std::make_unique<adapters::OpenAiGenerator>(adapters::OpenAiSettings{
                    c.base_url, c.api_key, std::chrono::seconds(c.timeout_seconds), c.max_attempts,
                    std::chrono::milliseconds(c.retry_base_ms), c.temperature}));
    }
    return set;
}

std::unique_ptr<adapters::SendAdapter> make_send_adapter(const Config& config);

std::unique_ptr<adapters::SendAdapter> make_one_adapter(const Config& config,
                                                        const std::string& kind) {
    Config one = config;
    one.send.adapter = kind;
    one.send.routes.clear();
    return make_send_adapter(one);
}

std::unique_ptr<adapters::SendAdapter> make_send_adapter(const Config& config) {
    if (!config.send.routes.empty()) {
        // Per campaign or sender, as [[send.routes]] says; one instance per kind.
        std::map<std::string, std::unique_ptr<adapters::SendAdapter>> instances;
        instances[config.send.adapter] = make_one_adapter(config, config.send.adapter);
        std::vector<adapters::RouteRule> rules;
        for (const auto& r : config.send.routes) {
            if (!instances.contains(r.adapter))
                instances[r.adapter] = make_one_adapter(config, r.adapter);
            rules.push_back({r.campaign, r.from_email, r.from_domain, r.adapter});
        }
        return std::make_unique<adapters::RoutingSender>(std::move(rules), config.send.adapter,
                                                         std::move(instances));
    }
    if (config.send.adapter == "file")
        return std::make_unique<adapters::FileSender>(config.file_adapter.dir);
    if (config.send.adapter == "log")
        return std::make_unique<adapters::LogSender>(
            std::chrono::milliseconds(config.log_adapter.latency_ms));
    if (config.send.adapter == "http") {
        const auto& c = config.http_adapter;
        return std::make_unique<adapters::HttpSender>(adapters::HttpSettings{
            c.url, c.signing_secret, c.bearer_token, c.ca_file, c.connect_timeout_seconds * 1000L,
            c.timeout_seconds * 1000L, c.max_connections});
    }
    if (config.send.adapter == "smtp") {
        const auto& c = config.smtp_adapter;
        adapters::SmtpSettings s;
        s.url = c.url;
        s.starttls = c.starttls;
        s.username = c.username;
        s.password = c.password;
        s.ca_file = c.ca_file;
        s.helo_domain = c.helo_domain;
        s.connect_timeout_ms = c.connect_timeout_seconds * 1000L;
        s.timeout_ms = c.timeout_seconds * 1000L;
        s.max_connections = c.max_connections;
        return std::make_unique<adapters::SmtpSender>(std::move(s));
    }
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

scheduler::EngineOptions engine_options(const Config& config, const std::string& instance) {
    scheduler::EngineOptions o;
    o.settings.instance_id = instance;
    o.settings.batch_size = config.scheduler.batch_size;
    o.settings.lease_seconds = config.scheduler.lease_seconds;
    o.settings.in_flight_chunk = config.scheduler.in_flight_chunk;
    o.settings.unknown_outcome = config.scheduler.unknown_outcome == "resend"
                                     ? scheduler::UnknownOutcomePolicy::resend
                                     : scheduler::UnknownOutcomePolicy::hold;
    o.settings.backoff.base = std::chrono::milliseconds(config.scheduler.retry_base_ms);
    o.settings.backoff.cap = std::chrono::milliseconds(config.scheduler.retry_max_ms);
    o.settings.spacing_min = std::chrono::milliseconds(config.send.spacing_min_ms);
    o.settings.spacing_max = std::chrono::milliseconds(config.send.spacing_max_ms);
    o.settings.message_id_domain = config.send.message_id_domain;
    if (!config.tracking.listen.empty()) o.settings.tracking_base_url = config.tracking.base_url;
    o.settings.unsubscribe_mailto = config.tracking.unsubscribe_mailto;
    o.database_url = config.database.url;
    o.workers = config.scheduler.workers;
    o.poll_interval = std::chrono::milliseconds(config.scheduler.poll_interval_ms);
    o.notify = config.scheduler.notify;
    o.prepared_statements = config.database.prepared_statements;
    return o;
}

}  // namespace

int run_daemon(Config config, std::optional<std::filesystem::path> config_path) {
    setup_logging(config.log.level, config.log.format);
    const auto instance = instance_id();
    spdlog::info("prospectflowd {} starting, instance {}", build_info::version, instance);

    {
        std::unique_ptr<pqxx::connection> connection;
        try {
            connection = db::connect(config.database.url);
        } catch (const db::DatabaseUnavailable& e) {
            spdlog::error("{}", e.what());
            return kExitUnavailable;
        }
        spdlog::info("connected to {}", db::redact_database_url(config.database.url));
        try {
            if (!schema_is_ready(*connection, config.database.migrate_on_start))
                return kExitFailure;
        } catch (const db::MigrationError& e) {
            spdlog::error("{}", e.what());
            return kExitFailure;
        }
    }

    std::unique_ptr<adapters::SendAdapter> adapter;
    try {
        adapter = make_send_adapter(config);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitConfig;
    }

    scheduler::SystemClock clock;
    const auto seed =
        config.scheduler.seed != 0
            ? static_cast<std::uint64_t>(config.scheduler.seed)
            : static_cast<std::uint64_t>(clock.now().time_since_epoch().count()) ^ ::getpid();
    scheduler::RandomSource random(seed);
    scheduler::EngineCounters counters;
    auto generators = std::make_unique<adapters::GeneratorSet>(make_generators(config));
    auto engine = std::make_unique<scheduler::Engine>(engine_options(config, instance), *adapter,
                                                      *generators, clock, random, counters);
    EngineHandle engine_handle;
    engine_handle.attach(engine.get(), std::string(adapter->name()));
    ServiceNotifier notifier;

    // The control port: up before the engine starts, so a deploy script can
    // drain a daemon as soon as it is reachable.
    ControlContext control_context{config.database.url,
                                   instance,
                                   build_info::version,
                                   std::chrono::system_clock::now(),
                                   std::chrono::seconds(config.control.pause_wait_seconds),
                                   &counters};
    ControlApi control_api(control_context, engine_handle);
    std::unique_ptr<ControlServer> control_server;
    if (!config.control.listen.empty()) {
        const auto address = split_listen_address(config.control.listen);
        control_server = std::make_unique<ControlServer>(
            ControlServerOptions{address->host, address->port, config.control.token,
                                 static_cast<std::size_t>(config.control.max_body_bytes),
                                 config.control.timeout_seconds},
            control_api);
        try {
            const int port = control_server->start();
            spdlog::info("control port listening on {}:{}", address->host, port);
        } catch (const std::exception& e) {
            spdlog::error("{}", e.what());
            return kExitUnavailable;
        }
        if (config.control.token.empty())
            spdlog::warn(
                "control: no token configured (control.token_file or PROSPECTFLOW_CONTROL_TOKEN): "
                "every endpoint but /healthz answers 401");
    }

    // The public tracking listener (pixel, unsubscribe, webhooks).
    std::unique_ptr<TrackingServer> tracking_server;
    if (!config.tracking.listen.empty()) {
        const auto address = split_listen_address(config.tracking.listen);
        tracking_server = std::make_unique<TrackingServer>(TrackingServerOptions{
            address->host, address->port, config.database.url, config.tracking.webhook_secret,
            std::chrono::milliseconds(config.tracking.flush_interval_ms)});
        try {
            const int port = tracking_server->start();
            spdlog::info("tracking listener on {}:{} (public as {})", address->host, port,
                         config.tracking.base_url);
        } catch (const std::exception& e) {
            spdlog::error("{}", e.what());
            return kExitUnavailable;
        }
    }

    const auto status_line = [&] {
        const auto& c = counters;
        return fmt::format("{} worker(s), {} busy{}; {} claimed, {} sent, {} failed, {} held",
                           engine_handle.workers(), engine_handle.busy_workers(),
                           engine_handle.draining() ? ", draining" : "", c.claimed.load(),
                           c.sent.load(), c.failed.load(), c.held.load());
    };

    // SIGHUP: log settings apply at once; scheduler and adapter settings by
    // a fresh engine, after the running one has finished its batches (their
    // unsent rest goes back to the queue and is claimed again at once).
    const auto reload = [&] {
        notifier.reloading();
        try {
            auto reloaded = load_config(*config_path, process_environment());
            setup_logging(reloaded.log.level, reloaded.log.format);
            const auto restart_needed = [&](const char* what, bool changed) {
                if (changed)
                    spdlog::warn("SIGHUP: {} changed; restart the daemon to apply it", what);
            };
            restart_needed("database", reloaded.database.url != config.database.url ||
                                           reloaded.database.prepared_statements !=
                                               config.database.prepared_statements);
            restart_needed("control", reloaded.control.listen != config.control.listen ||
                                          reloaded.control.token != config.control.token);
            reloaded.database = config.database;
            reloaded.control = config.control;
            auto next_adapter = make_send_adapter(reloaded);
            auto next_generators =
                std::make_unique<adapters::GeneratorSet>(make_generators(reloaded));
            engine->stop();
            // The old engine's workers must be gone before it is destroyed;
            // nothing is given up on a reload, however long a batch takes.
            while (!engine->join(std::chrono::seconds(config.scheduler.shutdown_timeout_seconds))) {
                spdlog::warn("SIGHUP: still waiting for {} busy worker(s) to finish their batch",
                             engine->busy_workers());
                notifier.watchdog();
            }
            engine->release_own_leases();
            engine_handle.attach(nullptr, std::string(next_adapter->name()));
            engine.reset();
            adapter = std::move(next_adapter);
            generators = std::move(next_generators);
            config = std::move(reloaded);
            engine = std::make_unique<scheduler::Engine>(engine_options(config, instance), *adapter,
                                                         *generators, clock, random, counters);
            engine_handle.attach(engine.get(), std::string(adapter->name()));
            engine->start();
            spdlog::info("SIGHUP: reloaded {}: log level {}, adapter {}, {} worker(s)",
                         config_path->string(), config.log.level, adapter->name(),
                         config.scheduler.workers);
        } catch (const std::exception& e) {
            // A bad edit must not take a running daemon down.
            spdlog::error("SIGHUP: keeping the running configuration: {}", e.what());
        }
        notifier.ready(status_line());
    };

    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::function<void()> wait_for_signal = [&] {
        signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
            if (ec) return;
            if (signal_number == SIGHUP) {
                if (!config_path) {
                    spdlog::info("SIGHUP: no configuration file to reload");
                } else {
                    reload();
                }
                wait_for_signal();
                return;
            }
            spdlog::info("received {}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
            io.stop();
        });
    };
    wait_for_signal();

    // A log line now and then, and the service manager's STATUS= line.
    boost::asio::steady_timer report(io);
    int ticks = 0;
    std::function<void()> schedule_report = [&] {
        report.expires_after(std::chrono::seconds(5));
        report.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            notifier.status(status_line());
            if (++ticks % 6 == 0) spdlog::info("engine: {}", status_line());
            schedule_report();
        });
    };
    schedule_report();

    // WATCHDOG=1 from this loop: a stuck loop stops the pings and systemd
    // restarts the daemon.
    boost::asio::steady_timer watchdog(io);
    std::function<void()> schedule_watchdog = [&] {
        watchdog.expires_after(*notifier.watchdog_period());
        watchdog.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            notifier.watchdog();
            schedule_watchdog();
        });
    };
    if (notifier.watchdog_period()) {
        notifier.watchdog();
        schedule_watchdog();
    }

    engine->start();
    spdlog::info("ready: instance {}, adapter {}, {} worker(s), batches of {}, {}", instance,
                 adapter->name(), config.scheduler.workers, config.scheduler.batch_size,
                 config.scheduler.notify ? "LISTEN/NOTIFY and polling" : "polling only");
    notifier.ready(status_line());
    io.run();

    // Stop claiming, let in-flight batches finish, give back what is left.
    notifier.stopping();
    engine->stop();
    const bool clean =
        engine->join(std::chrono::seconds(config.scheduler.shutdown_timeout_seconds));
    if (!clean) {
        spdlog::warn("shutdown timeout of {} s passed with work in flight; its leases will expire",
                     config.scheduler.shutdown_timeout_seconds);
    }
    if (control_server) control_server->stop();
    if (tracking_server) tracking_server->stop();
    if (const auto released = engine->release_own_leases())
        spdlog::info("gave back {} unfinished lease(s)", released);
    spdlog::info("stopped: {} claimed, {} sent", counters.claimed.load(), counters.sent.load());
    return kExitOk;
}

}  // namespace pf::daemon
