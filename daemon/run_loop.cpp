#include "daemon/run_loop.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <pqxx/pqxx>

#include "adapters/file_sender.hpp"
#include "adapters/http_sender.hpp"
#include "adapters/log_sender.hpp"
#include "adapters/mailbox_sender.hpp"
#include "adapters/smtp_sender.hpp"
#include "build_info.hpp"
#include "daemon/config_loader.hpp"
#include "daemon/control_api.hpp"
#include "daemon/control_server.hpp"
#include "daemon/engine_handle.hpp"
#include "daemon/engine_watchdog.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/inbound_service.hpp"
#include "daemon/logging.hpp"
#include "daemon/reload_plan.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/tracking_server.hpp"
#include "db/connection.hpp"
#include "db/migrator.hpp"
#include "scheduler/engine.hpp"

namespace pf::daemon {
namespace {

std::string host_name() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
    return host;
}

// What tasks are leased under (tasks.locked_by) and the instance registers
// as (outreach.instances): unique among live daemons, new at each start, so a
// restarted daemon never mistakes the dead one's leases for its own.
std::string instance_id() {
    return host_name() + ":" + std::to_string(::getpid());
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

// Mailbox pools send through each mailbox's own account, unless the
// configured adapter is a dry run (log, file), which records them.
std::unique_ptr<adapters::SendAdapter> with_mailboxes(
    const Config& config, std::unique_ptr<adapters::SendAdapter> relay) {
    if (config.send.adapter == "log" || config.send.adapter == "file") return relay;
    const auto& m = config.mailboxes;
    adapters::MailboxSenderSettings s;
    s.max_connections = m.max_connections;
    s.connect_timeout_ms = m.connect_timeout_seconds * 1000L;
    s.timeout_ms = m.timeout_seconds * 1000L;
    s.ca_file = m.ca_file;
    s.helo_domain = m.helo_domain;
    s.oauth = {m.oauth_token_url, m.oauth_client_id, m.oauth_client_secret, m.ca_file};
    std::optional<adapters::MailboxKey> key;
    if (!m.secret_key.empty()) key = adapters::MailboxKey::parse(m.secret_key, m.key_origin);
    return std::make_unique<adapters::MailboxSender>(std::move(s), std::move(key),
                                                     std::move(relay));
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

scheduler::EngineOptions engine_options(const Config& config, const db::InstanceRow& instance) {
    scheduler::EngineOptions o;
    o.instance = instance;
    o.settings.instance_id = instance.id;
    o.settings.batch_size = config.scheduler.batch_size;
    o.settings.lease_seconds = config.scheduler.lease_seconds;
    o.settings.heartbeat_interval =
        std::chrono::seconds(config.scheduler.heartbeat_interval_seconds);
    o.settings.instance_timeout = std::chrono::seconds(config.scheduler.instance_timeout_seconds);
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
    o.settings.mailbox_retry = std::chrono::seconds(config.mailboxes.retry_seconds);
    o.settings.mailbox_failures_to_error = config.mailboxes.failures_to_error;
    o.database_url = config.database.url;
    o.workers = config.scheduler.workers;
    o.poll_interval = std::chrono::milliseconds(config.scheduler.poll_interval_ms);
    o.notify = config.scheduler.notify;
    o.prepared_statements = config.database.prepared_statements;
    return o;
}

// Connects once to check the schema; an exit code when the daemon must not start.
// libpq's connect_timeout for every connection of the process (the engine's,
// the control port's, the inbound reader's) unless the URL names its own:
// PGCONNECT_TIMEOUT is read by libpq when the conninfo has none.
void apply_connect_timeout(const DatabaseConfig& database) {
    ::setenv("PGCONNECT_TIMEOUT", std::to_string(database.connect_timeout_seconds).c_str(), 1);
}

std::optional<int> check_database(const Config& config) {
    apply_connect_timeout(config.database);
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
    return std::nullopt;
}

// What a reload replaces: the configuration, the engine, and the adapter and
// generators the engine holds references to (destroyed after it).
struct EngineParts {
    Config config;
    std::unique_ptr<adapters::SendAdapter> adapter;
    std::unique_ptr<adapters::GeneratorSet> generators;
    std::unique_ptr<scheduler::Engine> engine;
};

// What every engine of the process shares: the counters survive a reload,
// and the random source (seeded once, scheduler.seed) keeps its sequence.
struct EngineShared {
    db::InstanceRow instance;
    const scheduler::Clock& clock;
    scheduler::RandomSource& random;
    scheduler::EngineCounters& counters;
};

// The adapter and generators of `config`, not yet the engine; throws on a
// bad adapter setting.
EngineParts prepare_engine(Config config) {
    EngineParts parts;
    parts.adapter = with_mailboxes(config, make_send_adapter(config));
    parts.generators = std::make_unique<adapters::GeneratorSet>(make_generators(config));
    parts.config = std::move(config);
    return parts;
}

// Builds the engine (not started) and shows it to the control port.
void attach_engine(EngineParts& parts, const EngineShared& shared, EngineHandle& handle) {
    parts.engine = std::make_unique<scheduler::Engine>(
        engine_options(parts.config, shared.instance), *parts.adapter, *parts.generators,
        shared.clock, shared.random, shared.counters);
    handle.attach(parts.engine.get(), std::string(parts.adapter->name()));
}

// Waits for a stopped engine's workers however long their batches take: a
// reload gives nothing up. The event loop is blocked meanwhile, so the
// watchdog is fed from here, by the same rule as from the loop: only while
// the workers make progress. A worker wedged in its batch stops the pings
// as it would without a reload, so a reload cannot hide it forever.
void wait_for_workers(scheduler::Engine& engine, EngineWatchdog& watchdog,
                      std::chrono::seconds warn_every) {
    using std::chrono::milliseconds;
    const auto period = watchdog.period();
    const milliseconds slice =
        period
            ? std::min<milliseconds>(std::chrono::duration_cast<milliseconds>(*period), warn_every)
            : milliseconds(warn_every);
    auto next_warning = std::chrono::steady_clock::now() + warn_every;
    while (!engine.join(slice)) {
        if (period) watchdog.feed(engine);
        if (std::chrono::steady_clock::now() < next_warning) continue;
        next_warning += warn_every;
        spdlog::warn("SIGHUP: still waiting for {} busy worker(s) to finish their batch",
                     engine.busy_workers());
    }
}

std::string joined(const std::vector<std::string>& keys) {
    std::string text;
    for (const auto& key : keys) text += (text.empty() ? "" : ", ") + key;
    return text;
}

// SIGHUP: log settings apply at once; scheduler, send, adapter and generator
// settings by a fresh engine, after the running one has finished its batches
// (their unsent rest goes back to the queue and is claimed again at once).
// Settings that need a restart keep their running value, each named in a
// warning (reload_plan.hpp). Throws before anything changes when the file or
// an adapter it configures is bad.
void reload(EngineParts& running, const std::filesystem::path& path, const EngineShared& shared,
            EngineHandle& handle, EngineWatchdog& watchdog) {
    auto loaded = load_config(path, process_environment());
    const auto live = settings_applied_live(running.config, loaded);
    const auto restart = settings_needing_restart(running.config, loaded);
    auto next = prepare_engine(keep_restart_settings(running.config, std::move(loaded)));
    setup_logging(next.config.log.level, next.config.log.format);
    for (const auto& key : restart) spdlog::warn("{}", restart_warning(key, running.config));
    running.engine->stop();
    wait_for_workers(*running.engine, watchdog,
                     std::chrono::seconds(running.config.scheduler.shutdown_timeout_seconds));
    running.engine->release_own_leases();
    handle.attach(nullptr, std::string(next.adapter->name()));
    running.engine.reset();  // before the adapter and generators it uses
    running = std::move(next);
    attach_engine(running, shared, handle);
    running.engine->start();
    watchdog.configure(running.config);
    spdlog::info("SIGHUP: reloaded {}: log level {}, adapter {}, {} worker(s); {}", path.string(),
                 running.config.log.level, running.adapter->name(),
                 running.config.scheduler.workers,
                 live.empty() ? std::string("no setting changed") : "applied " + joined(live));
}

// HttpListener's options from a [control] or [tracking] section.
template <typename ListenerConfig>
HttpListenerOptions listener_options(const std::string& listen, const ListenerConfig& c) {
    using std::chrono::milliseconds;
    const auto address = split_listen_address(listen);
    HttpListenerOptions o;
    o.host = address->host;
    o.port = address->port;
    o.io_threads = static_cast<std::size_t>(c.io_threads);
    o.worker_threads = static_cast<std::size_t>(c.worker_threads);
    o.shutdown_grace = milliseconds(c.shutdown_grace_ms);
    auto& l = o.limits;
    l.max_header_bytes = static_cast<std::size_t>(c.max_header_bytes);
    l.max_body_bytes = static_cast<std::size_t>(c.max_body_bytes);
    l.head_timeout = milliseconds(c.request_head_timeout_ms);
    l.body_timeout = std::chrono::seconds(c.timeout_seconds);
    l.idle_timeout = milliseconds(c.idle_timeout_ms);
    l.max_requests_per_connection = static_cast<unsigned>(c.max_requests_per_connection);
    l.max_connections_per_client = static_cast<std::size_t>(c.max_connections_per_client);
    l.max_connections = static_cast<std::size_t>(c.max_connections);
    return o;
}

// The control port: up before the engine starts, so a deploy script can
// drain a daemon as soon as it is reachable. Null when turned off; throws
// when it cannot bind.
std::unique_ptr<ControlServer> start_control_server(const Config& config, ControlApi& api) {
    if (config.control.listen.empty()) return nullptr;
    auto server = std::make_unique<ControlServer>(
        ControlServerOptions{listener_options(config.control.listen, config.control),
                             config.control.token},
        api);
    const int port = server->start();
    spdlog::info("control port listening on {}:{}",
                 split_listen_address(config.control.listen)->host, port);
    if (config.control.token.empty())
        spdlog::warn(
            "control: no token configured (control.token_file or PROSPECTFLOW_CONTROL_TOKEN): "
            "every endpoint but /healthz answers 401");
    return server;
}

// The public tracking listener (pixel, unsubscribe, webhooks). Null when
// turned off; throws when it cannot bind.
std::unique_ptr<TrackingServer> start_tracking_server(const Config& config) {
    if (config.tracking.listen.empty()) return nullptr;
    const auto address = split_listen_address(config.tracking.listen);
    auto server = std::make_unique<TrackingServer>(
        TrackingServerOptions{listener_options(config.tracking.listen, config.tracking),
                              config.database.url, config.tracking.webhook_secret,
                              std::chrono::milliseconds(config.tracking.flush_interval_ms)});
    const int port = server->start();
    spdlog::info("tracking listener on {}:{} (public as {})", address->host, port,
                 config.tracking.base_url);
    return server;
}

// The IMAP reader of every mailbox with an imap_url, leased per mailbox
// under this instance's id and renewed with the engine's heartbeat period.
std::unique_ptr<InboundService> make_inbound_service(const Config& config,
                                                     const std::string& instance,
                                                     const scheduler::Clock& clock,
                                                     InboundCounters& counters) {
    InboundServiceOptions o;
    o.database_url = config.database.url;
    o.instance_id = instance;
    o.config = config.inbound;
    const auto& m = config.mailboxes;
    if (!m.secret_key.empty()) o.key = adapters::MailboxKey::parse(m.secret_key, m.key_origin);
    o.oauth = {m.oauth_token_url, m.oauth_client_id, m.oauth_client_secret, m.ca_file};
    o.lease_interval = std::chrono::seconds(config.scheduler.heartbeat_interval_seconds);
    o.lease_seconds = config.scheduler.instance_timeout_seconds;
    o.instance_timeout_seconds = config.scheduler.instance_timeout_seconds;
    o.clock = &clock;
    o.counters = &counters;
    return std::make_unique<InboundService>(std::move(o));
}

// WATCHDOG=1 every period from the event loop, but only while the engine
// makes progress (engine_watchdog.hpp); once it does not, the timer ends.
void schedule_watchdog(boost::asio::steady_timer& timer, EngineWatchdog& watchdog,
                       const EngineParts& parts) {
    timer.expires_after(*watchdog.period());
    timer.async_wait([&timer, &watchdog, &parts](const boost::system::error_code& ec) {
        if (ec) return;
        watchdog.feed(*parts.engine);
        if (!watchdog.wedged()) schedule_watchdog(timer, watchdog, parts);
    });
}

// A log line now and then, and the service manager's STATUS= line.
void schedule_report(boost::asio::steady_timer& timer, ServiceNotifier& notifier,
                     const std::function<std::string()>& status_line, int ticks = 0) {
    timer.expires_after(std::chrono::seconds(5));
    timer.async_wait([&timer, &notifier, &status_line, ticks](const boost::system::error_code& ec) {
        if (ec) return;
        notifier.status(status_line());
        if ((ticks + 1) % 6 == 0) spdlog::info("engine: {}", status_line());
        schedule_report(timer, notifier, status_line, ticks + 1);
    });
}

// Stop claiming, let in-flight batches finish, give back what is left.
void shut_down(EngineParts& parts, ControlServer* control, TrackingServer* tracking,
               InboundService& inbound, const scheduler::EngineCounters& counters) {
    inbound.stop();
    parts.engine->stop();
    const auto timeout = parts.config.scheduler.shutdown_timeout_seconds;
    if (!parts.engine->join(std::chrono::seconds(timeout)))
        spdlog::warn("shutdown timeout of {} s passed with work in flight; its leases will expire",
                     timeout);
    if (control) control->stop();
    if (tracking) tracking->stop();
    if (const auto released = parts.engine->release_own_leases())
        spdlog::info("gave back {} unfinished lease(s)", released);
    parts.engine->deregister();
    spdlog::info("stopped: {} claimed, {} sent", counters.claimed.load(), counters.sent.load());
}

std::string status_line(const EngineHandle& handle, const scheduler::EngineCounters& c) {
    return fmt::format("{} worker(s), {} busy{}; {} claimed, {} sent, {} failed, {} held",
                       handle.workers(), handle.busy_workers(),
                       handle.draining() ? ", draining" : "", c.claimed.load(), c.sent.load(),
                       c.failed.load(), c.held.load());
}

// What the event loop works on, from READY=1 to SIGTERM.
struct Serving {
    EngineParts& parts;
    const EngineShared& shared;
    EngineHandle& handle;
    ServiceNotifier& notifier;
    EngineWatchdog& watchdog;
    const std::optional<std::filesystem::path>& config_path;
    InboundService& inbound;
};

void on_sighup(Serving& s) {
    if (!s.config_path) {
        spdlog::info("SIGHUP: no configuration file to reload");
        return;
    }
    s.notifier.reloading();
    try {
        reload(s.parts, *s.config_path, s.shared, s.handle, s.watchdog);
    } catch (const std::exception& e) {
        // A bad edit must not take a running daemon down.
        spdlog::error("SIGHUP: keeping the running configuration: {}", e.what());
    }
    s.notifier.ready(status_line(s.handle, s.shared.counters));
}

// Starts the engine, says READY=1 and serves signals and timers until
// SIGTERM or SIGINT.
void serve(Serving& s) {
    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::function<void()> wait_for_signal = [&] {
        signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
            if (ec) return;
            if (signal_number == SIGHUP) {
                on_sighup(s);
                wait_for_signal();
                return;
            }
            spdlog::info("received {}: stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
            io.stop();
        });
    };
    wait_for_signal();
    const std::function<std::string()> status = [&] {
        return status_line(s.handle, s.shared.counters);
    };
    boost::asio::steady_timer report(io);
    schedule_report(report, s.notifier, status);
    boost::asio::steady_timer watchdog_timer(io);
    if (s.watchdog.period()) {
        s.watchdog.feed(*s.parts.engine);
        schedule_watchdog(watchdog_timer, s.watchdog, s.parts);
    }

    s.parts.engine->start();
    // After the engine registered this instance: the leases name it.
    s.inbound.start();
    const auto& config = s.parts.config;
    spdlog::info("ready: instance {}, adapter {}, {} worker(s), batches of {}, {}",
                 s.shared.instance.id, s.parts.adapter->name(), config.scheduler.workers,
                 config.scheduler.batch_size,
                 config.scheduler.notify ? "LISTEN/NOTIFY and polling" : "polling only");
    s.notifier.ready(status());
    io.run();
}

}  // namespace

int run_daemon(Config config, std::optional<std::filesystem::path> config_path) {
    setup_logging(config.log.level, config.log.format);
    const auto instance = instance_id();
    spdlog::info("prospectflowd {} starting, instance {}", build_info::version, instance);
    if (const auto code = check_database(config)) return *code;

    EngineParts parts;
    try {
        parts = prepare_engine(config);
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
    const db::InstanceRow registered{instance, host_name(), static_cast<int>(::getpid()),
                                     build_info::version, scheduler::to_micros(clock.now())};
    const EngineShared shared{registered, clock, random, counters};
    EngineHandle engine_handle;
    attach_engine(parts, shared, engine_handle);
    ServiceNotifier notifier;
    EngineWatchdog watchdog(notifier, config);

    InboundCounters inbound_counters;
    const auto inbound = make_inbound_service(config, instance, clock, inbound_counters);

    ControlApi control_api(
        ControlContext{
            config.database.url, instance, build_info::version, std::chrono::system_clock::now(),
            std::chrono::seconds(config.control.pause_wait_seconds), &counters, &inbound_counters,
            std::chrono::seconds(config.scheduler.instance_timeout_seconds)},
        engine_handle);
    std::unique_ptr<ControlServer> control_server;
    std::unique_ptr<TrackingServer> tracking_server;
    try {
        control_server = start_control_server(config, control_api);
        tracking_server = start_tracking_server(config);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitUnavailable;
    }

    Serving serving{parts, shared, engine_handle, notifier, watchdog, config_path, *inbound};
    serve(serving);
    notifier.stopping();
    shut_down(parts, control_server.get(), tracking_server.get(), *inbound, counters);
    return kExitOk;
}

}  // namespace pf::daemon
