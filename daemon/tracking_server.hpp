#pragma once
// The public tracking listener (its own port, meant to face the internet):
//   GET  /o/<token>.gif       a 1x1 GIF, never cached; counts an open
//   GET  /u/<token>, POST /u/<token>
//                             one-click unsubscribe (RFC 8058): ends the
//                             enrollment, cancels its tasks, suppresses the
//                             address for the organisation
//   POST /webhooks/reply      an inbound reply (raw message or its headers),
//                             matched by In-Reply-To/References
//   POST /webhooks/bounce     a bounce (hard or soft, DSN status)
//   GET  /healthz
// Unknown tokens get exactly the answer known ones get. Webhooks need
// X-ProspectFlow-Timestamp and X-ProspectFlow-Signature: sha256=hex(HMAC-
// SHA256(secret, "<timestamp>.<body>")), within five minutes. Opens are
// counted in memory and written in batches (one statement per flush).

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "daemon/http_listener.hpp"

namespace pf::daemon {

struct TrackingServerOptions {
    HttpListenerOptions listener;  // host, port, threads, limits (what, config_key: set here)
    std::string database_url;
    std::string webhook_secret;  // empty: webhooks answer 401
    std::chrono::milliseconds flush_interval{200};
};

class TrackingServer {
  public:
    explicit TrackingServer(TrackingServerOptions options);
    ~TrackingServer();
    TrackingServer(const TrackingServer&) = delete;
    TrackingServer& operator=(const TrackingServer&) = delete;

    int start();  // binds (throws naming the address), returns the port
    void stop();  // stops serving, writes the opens still in memory

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pf::daemon
