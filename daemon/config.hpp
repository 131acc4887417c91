#pragma once
// The daemon's configuration: one struct per TOML section, each configuring
// one component. etc/prospectflowd.toml documents every key and default.

#include <string>
#include <vector>

namespace pf::daemon {

struct DatabaseConfig {
    std::string url;  // secret: from url, url_file or PROSPECTFLOW_DATABASE_URL
    bool migrate_on_start = false;
    int connect_timeout_seconds = 10;
    bool prepared_statements = true;
};

struct SchedulerConfig {
    int workers = 4;
    int batch_size = 100;
    int poll_interval_ms = 1000;
    int lease_seconds = 300;
    int heartbeat_interval_seconds = 3;  // beat and lease renewal (outreach.instances)
    int instance_timeout_seconds = 15;   // silence before a daemon's tasks are taken over
    bool notify = true;
    int in_flight_chunk = 200;             // emails in flight per worker (unknown after a crash)
    std::string unknown_outcome = "hold";  // or "resend"
    int retry_base_ms = 30000;
    int retry_max_ms = 3600000;
    int shutdown_timeout_seconds = 30;
    long long seed = 0;  // 0: seeded from the clock at start
};

// One rule of [[send.routes]]: emails of this campaign or sender go to
// this adapter instead of send.adapter.
struct RouteConfig {
    std::string campaign, from_email, from_domain, adapter;
    friend bool operator==(const RouteConfig&, const RouteConfig&) = default;
};

struct SendConfig {
    std::string adapter = "file";
    std::vector<RouteConfig> routes;
    int spacing_min_ms = 1000;
    int spacing_max_ms = 4000;
    std::string message_id_domain;  // empty: the sender's domain
};

struct FileAdapterConfig {
    std::string dir = "var/outbox";
};

struct LogAdapterConfig {
    int latency_ms = 0;
};

struct OpenAiGeneratorConfig {
    std::string base_url = "https://api.openai.com/v1";
    std::string api_key;  // secret: api_key_file, PROSPECTFLOW_OPENAI_API_KEY or credential
    int timeout_seconds = 30;
    int max_attempts = 3;
    int retry_base_ms = 1000;
    double temperature = 0.7;
    bool enabled = false;  // the section is present or an API key is given
};

struct HttpAdapterConfig {
    std::string url;
    std::string signing_secret;  // secret: signing_secret_file, PROSPECTFLOW_HTTP_SIGNING_SECRET or
                                 // credential
    std::string bearer_token;    // secret: bearer_token_file, PROSPECTFLOW_HTTP_TOKEN or credential
    std::string ca_file;
    int connect_timeout_seconds = 10;
    int timeout_seconds = 30;
    int max_connections = 32;  // requests in flight at once
};

struct SmtpAdapterConfig {
    std::string url = "smtp://127.0.0.1:25";
    bool starttls = true;
    std::string username;
    std::string password;  // secret: password_file, PROSPECTFLOW_SMTP_PASSWORD or credential
    std::string ca_file;
    std::string helo_domain;
    int connect_timeout_seconds = 10;
    int timeout_seconds = 60;
    int max_connections = 16;  // transactions (and connections) in flight at once
};

// [mailboxes]: sending through the campaigns' mailbox pools (outreach.mailboxes).
struct MailboxesConfig {
    // secret: PROSPECTFLOW_MAILBOX_KEY, secret_key_file or the credential
    // mailbox-key; 64 hex digits or base64 of 32 bytes. Empty: mailboxes
    // with a secret cannot log in (each fails with that reason).
    std::string secret_key;
    std::string key_origin;    // where secret_key came from, for error messages
    int max_connections = 16;  // SMTP transactions to all mailboxes at once
    int connect_timeout_seconds = 10;
    int timeout_seconds = 60;
    std::string ca_file, helo_domain;
    // xoauth2 mailboxes that name no endpoint or client of their own.
    std::string oauth_token_url, oauth_client_id;
    std::string oauth_client_secret;  // secret: oauth_client_secret_file, env or credential
    int retry_seconds = 900;          // a send waiting for a paused or failed mailbox looks again
    int failures_to_error = 3;        // connection failures in a row that make a mailbox 'error'
};

// [inbound]: reading each mailbox with an imap_url over IMAP for replies,
// bounces and automatic replies (adapters/inbound_reader.hpp).
struct InboundConfig {
    bool enabled = true;
    bool idle = true;                 // IDLE where the server has it; else polling
    int poll_interval_seconds = 60;   // polling, and folders other than the first
    int idle_reissue_seconds = 1500;  // a new IDLE before the 29 minutes of RFC 2177
    int max_mailboxes = 200;          // read by this daemon at once (one thread each)
    int rescan_days = 14;             // a new UIDVALIDITY or a first read looks back this far
    int recent_recipient_days =
        30;  // a reply without threading headers: From sent to this recently
    int connect_timeout_seconds = 30;
    std::string ca_file;         // an extra CA bundle for the IMAP servers
    int max_message_kib = 4096;  // of each message fetched
    // Bounce protection: hard bounces over a mailbox's or campaign's last
    // bounce_window_sends sends within bounce_window_days reaching
    // bounce_pause_percent (of at least bounce_window_sends) pause it.
    int bounce_window_sends = 50;
    int bounce_window_days = 7;
    double bounce_pause_percent = 3.0;
};

struct ControlConfig {
    std::string listen = "127.0.0.1:8470";  // empty: no control port
    std::string token;                      // secret: from token_file or PROSPECTFLOW_CONTROL_TOKEN
    int pause_wait_seconds = 30;            // how long a pause waits for in-flight sends
    int max_body_bytes = 65536;
    int timeout_seconds = 10;  // deadline for reading a body, and for writing an answer
    // The listener (daemon/http_listener): threads, deadlines, limits.
    int io_threads = 2;                  // threads serving every connection
    int worker_threads = 4;              // threads running handlers that may block
    int request_head_timeout_ms = 5000;  // request line + headers, from the connection's start
    int idle_timeout_ms = 5000;          // keep-alive wait for the next request's head
    int max_header_bytes = 8192;         // above: 431
    int max_requests_per_connection = 100;
    int max_connections_per_client = 64;  // per client address; beyond: closed at accept
    int max_connections = 10000;          // in all; beyond: closed at accept
    int shutdown_grace_ms = 5000;         // requests in flight get this long at shutdown
};

struct TrackingConfig {
    std::string listen = "127.0.0.1:8471";  // empty: no listener, no pixel, no unsubscribe link
    std::string base_url = "http://127.0.0.1:8471";  // how the internet reaches it
    std::string unsubscribe_mailto;                  // optional List-Unsubscribe mailto: address
    std::string webhook_secret;   // secret: webhook_secret_file, env or credential
    int flush_interval_ms = 200;  // opens are written in batches
    int max_body_bytes = 1024 * 1024;
    int timeout_seconds = 10;  // deadline for reading a body, and for writing an answer
    // The listener (daemon/http_listener): threads, deadlines, limits.
    int io_threads = 2;                  // threads serving every connection
    int worker_threads = 4;              // threads running handlers that may block
    int request_head_timeout_ms = 5000;  // request line + headers, from the connection's start
    int idle_timeout_ms = 5000;          // keep-alive wait for the next request's head
    int max_header_bytes = 8192;         // above: 431
    int max_requests_per_connection = 100;
    int max_connections_per_client = 256;  // per client address; beyond: closed at accept
    int max_connections = 10000;           // in all; beyond: closed at accept
    int shutdown_grace_ms = 5000;          // requests in flight get this long at shutdown
};

struct LogConfig {
    std::string level = "info";
    std::string format = "text";
};

struct Config {
    DatabaseConfig database;
    SchedulerConfig scheduler;
    SendConfig send;
    FileAdapterConfig file_adapter;
    LogAdapterConfig log_adapter;
    SmtpAdapterConfig smtp_adapter;
    HttpAdapterConfig http_adapter;
    OpenAiGeneratorConfig openai;
    MailboxesConfig mailboxes;
    InboundConfig inbound;
    ControlConfig control;
    TrackingConfig tracking;
    LogConfig log;
};

}  // namespace pf::daemon
