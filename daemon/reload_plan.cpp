#include "daemon/reload_plan.hpp"

namespace pf::daemon {
namespace {

using Meanwhile = std::string (*)(const Config& running);

// One setting: its key, whether a reload applies it, and how to compare and
// keep it. Comparing and keeping come from the same member pointers, so a
// setting reported as needing a restart is always the one kept.
struct Setting {
    std::string_view key;
    Apply apply;
    bool (*differs)(const Config&, const Config&);
    void (*keep)(const Config& running, Config& reloaded);
    Meanwhile meanwhile;
};

template <auto Section, auto Field>
constexpr Setting setting(std::string_view key, Apply apply, Meanwhile meanwhile = nullptr) {
    return {key, apply,
            [](const Config& a, const Config& b) {
                return !((a.*Section).*Field == (b.*Section).*Field);
            },
            [](const Config& running, Config& reloaded) {
                (reloaded.*Section).*Field = (running.*Section).*Field;
            },
            meanwhile};
}

// The engine is rebuilt on reload, but with the running database: the
// control port and the tracking listener could not follow it.
std::string engine_keeps_database(const Config&) {
    return "the engine, the control port and the tracking listener keep the running database";
}

// The engine adds the pixel and the unsubscribe link only when a listener
// runs, and links to tracking.base_url: both stay those of the running
// listener, so no email links to a listener that does not exist yet.
std::string emails_keep_listener(const Config& running) {
    if (running.tracking.listen.empty())
        return "no tracking listener runs until then, and new emails get no open pixel or "
               "unsubscribe link";
    return "the running listener stays, and new emails keep linking to " +
           running.tracking.base_url;
}

std::string emails_keep_base_url(const Config& running) {
    if (running.tracking.listen.empty())
        return "no tracking listener runs, so new emails get no tracking links either way";
    return "new emails keep linking to " + running.tracking.base_url;
}

using C = Config;
constexpr auto live = Apply::live;
constexpr auto restart = Apply::restart;

// clang-format off
const Setting kSettings[] = {
    // Read at start only, or shared with the listeners (see above).
    setting<&C::database, &DatabaseConfig::url>("database.url", restart, engine_keeps_database),
    setting<&C::database, &DatabaseConfig::migrate_on_start>("database.migrate_on_start", restart),
    setting<&C::database, &DatabaseConfig::connect_timeout_seconds>("database.connect_timeout_seconds", restart),
    setting<&C::database, &DatabaseConfig::prepared_statements>("database.prepared_statements", restart),
    // The fresh engine's options (engine_options in run_loop.cpp).
    setting<&C::scheduler, &SchedulerConfig::workers>("scheduler.workers", live),
    setting<&C::scheduler, &SchedulerConfig::batch_size>("scheduler.batch_size", live),
    setting<&C::scheduler, &SchedulerConfig::poll_interval_ms>("scheduler.poll_interval_ms", live),
    setting<&C::scheduler, &SchedulerConfig::lease_seconds>("scheduler.lease_seconds", live),
    // The fresh engine's heartbeat thread and janitors read them.
    setting<&C::scheduler, &SchedulerConfig::heartbeat_interval_seconds>("scheduler.heartbeat_interval_seconds", live),
    setting<&C::scheduler, &SchedulerConfig::instance_timeout_seconds>("scheduler.instance_timeout_seconds", live),
    setting<&C::scheduler, &SchedulerConfig::notify>("scheduler.notify", live),
    setting<&C::scheduler, &SchedulerConfig::in_flight_chunk>("scheduler.in_flight_chunk", live),
    setting<&C::scheduler, &SchedulerConfig::unknown_outcome>("scheduler.unknown_outcome", live),
    setting<&C::scheduler, &SchedulerConfig::retry_base_ms>("scheduler.retry_base_ms", live),
    setting<&C::scheduler, &SchedulerConfig::retry_max_ms>("scheduler.retry_max_ms", live),
    // Bounds the next stop; the reload itself waits for batches however long.
    setting<&C::scheduler, &SchedulerConfig::shutdown_timeout_seconds>("scheduler.shutdown_timeout_seconds", live),
    // Seeds the one random source, made at start and shared by every engine.
    setting<&C::scheduler, &SchedulerConfig::seed>("scheduler.seed", restart),
    setting<&C::send, &SendConfig::adapter>("send.adapter", live),
    setting<&C::send, &SendConfig::spacing_min_ms>("send.spacing_min_ms", live),
    setting<&C::send, &SendConfig::spacing_max_ms>("send.spacing_max_ms", live),
    setting<&C::send, &SendConfig::message_id_domain>("send.message_id_domain", live),
    setting<&C::send, &SendConfig::routes>("send.routes", live),
    // The fresh adapter (make_send_adapter).
    setting<&C::file_adapter, &FileAdapterConfig::dir>("adapters.file.dir", live),
    setting<&C::log_adapter, &LogAdapterConfig::latency_ms>("adapters.log.latency_ms", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::url>("adapters.smtp.url", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::starttls>("adapters.smtp.starttls", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::username>("adapters.smtp.username", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::password>("adapters.smtp.password", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::ca_file>("adapters.smtp.ca_file", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::helo_domain>("adapters.smtp.helo_domain", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::connect_timeout_seconds>("adapters.smtp.connect_timeout_seconds", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::timeout_seconds>("adapters.smtp.timeout_seconds", live),
    setting<&C::smtp_adapter, &SmtpAdapterConfig::max_connections>("adapters.smtp.max_connections", live),
    setting<&C::http_adapter, &HttpAdapterConfig::url>("adapters.http.url", live),
    setting<&C::http_adapter, &HttpAdapterConfig::signing_secret>("adapters.http.signing_secret", live),
    setting<&C::http_adapter, &HttpAdapterConfig::bearer_token>("adapters.http.bearer_token", live),
    setting<&C::http_adapter, &HttpAdapterConfig::ca_file>("adapters.http.ca_file", live),
    setting<&C::http_adapter, &HttpAdapterConfig::connect_timeout_seconds>("adapters.http.connect_timeout_seconds", live),
    setting<&C::http_adapter, &HttpAdapterConfig::timeout_seconds>("adapters.http.timeout_seconds", live),
    setting<&C::http_adapter, &HttpAdapterConfig::max_connections>("adapters.http.max_connections", live),
    // The fresh mailbox sender (with_mailboxes) and engine settings.
    setting<&C::mailboxes, &MailboxesConfig::secret_key>("mailboxes.secret_key", live),
    setting<&C::mailboxes, &MailboxesConfig::max_connections>("mailboxes.max_connections", live),
    setting<&C::mailboxes, &MailboxesConfig::connect_timeout_seconds>("mailboxes.connect_timeout_seconds", live),
    setting<&C::mailboxes, &MailboxesConfig::timeout_seconds>("mailboxes.timeout_seconds", live),
    setting<&C::mailboxes, &MailboxesConfig::ca_file>("mailboxes.ca_file", live),
    setting<&C::mailboxes, &MailboxesConfig::helo_domain>("mailboxes.helo_domain", live),
    setting<&C::mailboxes, &MailboxesConfig::oauth_token_url>("mailboxes.oauth_token_url", live),
    setting<&C::mailboxes, &MailboxesConfig::oauth_client_id>("mailboxes.oauth_client_id", live),
    setting<&C::mailboxes, &MailboxesConfig::oauth_client_secret>("mailboxes.oauth_client_secret", live),
    setting<&C::mailboxes, &MailboxesConfig::retry_seconds>("mailboxes.retry_seconds", live),
    setting<&C::mailboxes, &MailboxesConfig::failures_to_error>("mailboxes.failures_to_error", live),
    // The inbound service is built once, at start.
    setting<&C::inbound, &InboundConfig::enabled>("inbound.enabled", restart),
    setting<&C::inbound, &InboundConfig::idle>("inbound.idle", restart),
    setting<&C::inbound, &InboundConfig::poll_interval_seconds>("inbound.poll_interval_seconds", restart),
    setting<&C::inbound, &InboundConfig::idle_reissue_seconds>("inbound.idle_reissue_seconds", restart),
    setting<&C::inbound, &InboundConfig::max_mailboxes>("inbound.max_mailboxes", restart),
    setting<&C::inbound, &InboundConfig::rescan_days>("inbound.rescan_days", restart),
    setting<&C::inbound, &InboundConfig::recent_recipient_days>("inbound.recent_recipient_days", restart),
    setting<&C::inbound, &InboundConfig::connect_timeout_seconds>("inbound.connect_timeout_seconds", restart),
    setting<&C::inbound, &InboundConfig::ca_file>("inbound.ca_file", restart),
    setting<&C::inbound, &InboundConfig::max_message_kib>("inbound.max_message_kib", restart),
    setting<&C::inbound, &InboundConfig::bounce_window_sends>("inbound.bounce_window_sends", restart),
    setting<&C::inbound, &InboundConfig::bounce_window_days>("inbound.bounce_window_days", restart),
    setting<&C::inbound, &InboundConfig::bounce_pause_percent>("inbound.bounce_pause_percent", restart),
    // The fresh generators (make_generators).
    setting<&C::openai, &OpenAiGeneratorConfig::enabled>("generators.openai", live),
    setting<&C::openai, &OpenAiGeneratorConfig::base_url>("generators.openai.base_url", live),
    setting<&C::openai, &OpenAiGeneratorConfig::api_key>("generators.openai.api_key", live),
    setting<&C::openai, &OpenAiGeneratorConfig::timeout_seconds>("generators.openai.timeout_seconds", live),
    setting<&C::openai, &OpenAiGeneratorConfig::max_attempts>("generators.openai.max_attempts", live),
    setting<&C::openai, &OpenAiGeneratorConfig::retry_base_ms>("generators.openai.retry_base_ms", live),
    setting<&C::openai, &OpenAiGeneratorConfig::temperature>("generators.openai.temperature", live),
    // The control port is built once, and so is the context its handlers read.
    setting<&C::control, &ControlConfig::listen>("control.listen", restart),
    setting<&C::control, &ControlConfig::token>("control.token", restart),
    setting<&C::control, &ControlConfig::pause_wait_seconds>("control.pause_wait_seconds", restart),
    setting<&C::control, &ControlConfig::max_body_bytes>("control.max_body_bytes", restart),
    setting<&C::control, &ControlConfig::timeout_seconds>("control.timeout_seconds", restart),
    setting<&C::control, &ControlConfig::io_threads>("control.io_threads", restart),
    setting<&C::control, &ControlConfig::worker_threads>("control.worker_threads", restart),
    setting<&C::control, &ControlConfig::request_head_timeout_ms>("control.request_head_timeout_ms", restart),
    setting<&C::control, &ControlConfig::idle_timeout_ms>("control.idle_timeout_ms", restart),
    setting<&C::control, &ControlConfig::max_header_bytes>("control.max_header_bytes", restart),
    setting<&C::control, &ControlConfig::max_requests_per_connection>("control.max_requests_per_connection", restart),
    setting<&C::control, &ControlConfig::max_connections_per_client>("control.max_connections_per_client", restart),
    setting<&C::control, &ControlConfig::max_connections>("control.max_connections", restart),
    setting<&C::control, &ControlConfig::shutdown_grace_ms>("control.shutdown_grace_ms", restart),
    // The tracking listener is built once; listen and base_url feed the
    // engine too, which keeps the running ones (see above).
    setting<&C::tracking, &TrackingConfig::listen>("tracking.listen", restart, emails_keep_listener),
    setting<&C::tracking, &TrackingConfig::base_url>("tracking.base_url", restart, emails_keep_base_url),
    setting<&C::tracking, &TrackingConfig::unsubscribe_mailto>("tracking.unsubscribe_mailto", live),
    setting<&C::tracking, &TrackingConfig::webhook_secret>("tracking.webhook_secret", restart),
    setting<&C::tracking, &TrackingConfig::flush_interval_ms>("tracking.flush_interval_ms", restart),
    setting<&C::tracking, &TrackingConfig::max_body_bytes>("tracking.max_body_bytes", restart),
    setting<&C::tracking, &TrackingConfig::timeout_seconds>("tracking.timeout_seconds", restart),
    setting<&C::tracking, &TrackingConfig::io_threads>("tracking.io_threads", restart),
    setting<&C::tracking, &TrackingConfig::worker_threads>("tracking.worker_threads", restart),
    setting<&C::tracking, &TrackingConfig::request_head_timeout_ms>("tracking.request_head_timeout_ms", restart),
    setting<&C::tracking, &TrackingConfig::idle_timeout_ms>("tracking.idle_timeout_ms", restart),
    setting<&C::tracking, &TrackingConfig::max_header_bytes>("tracking.max_header_bytes", restart),
    setting<&C::tracking, &TrackingConfig::max_requests_per_connection>("tracking.max_requests_per_connection", restart),
    setting<&C::tracking, &TrackingConfig::max_connections_per_client>("tracking.max_connections_per_client", restart),
    setting<&C::tracking, &TrackingConfig::max_connections>("tracking.max_connections", restart),
    setting<&C::tracking, &TrackingConfig::shutdown_grace_ms>("tracking.shutdown_grace_ms", restart),
    setting<&C::log, &LogConfig::level>("log.level", live),
    setting<&C::log, &LogConfig::format>("log.format", live),
};
// clang-format on

std::vector<std::string> changed(const Config& running, const Config& reloaded, Apply apply) {
    std::vector<std::string> keys;
    for (const auto& s : kSettings)
        if (s.apply == apply && s.differs(running, reloaded)) keys.emplace_back(s.key);
    return keys;
}

}  // namespace

std::vector<SettingInfo> reload_settings() {
    std::vector<SettingInfo> all;
    for (const auto& s : kSettings) all.push_back({s.key, s.apply});
    return all;
}

std::vector<std::string> settings_needing_restart(const Config& running, const Config& reloaded) {
    return changed(running, reloaded, Apply::restart);
}

std::vector<std::string> settings_applied_live(const Config& running, const Config& reloaded) {
    return changed(running, reloaded, Apply::live);
}

Config keep_restart_settings(const Config& running, Config reloaded) {
    for (const auto& s : kSettings)
        if (s.apply == Apply::restart) s.keep(running, reloaded);
    return reloaded;
}

std::string restart_warning(std::string_view key, const Config& running) {
    std::string text = "SIGHUP: " + std::string(key) + " changed; restart the daemon to apply it";
    for (const auto& s : kSettings)
        if (s.key == key && s.meanwhile) text += " (" + s.meanwhile(running) + ")";
    return text;
}

}  // namespace pf::daemon
