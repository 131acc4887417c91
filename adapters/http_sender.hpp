#pragma once
// The `http` adapter (libcurl): one JSON POST per message to a relay or a
// provider's API. The body carries the envelope and the complete RFC 5322
// message; headers carry an Idempotency-Key (the message's id, the same on
// every retry) and an HMAC-SHA256 signature of "<timestamp>.<body>" with a
// shared secret, so the receiver can check origin and freshness:
//   X-ProspectFlow-Timestamp: 1795000000
//   X-ProspectFlow-Signature: sha256=<hex>
// 2xx: sent (the answer's JSON "id" is the provider id); 408, 429, 5xx,
// timeouts and network errors: transient; other 4xx: permanent.
// Many requests are in flight at once (an event loop on libcurl's multi
// interface, curl_multi_loop.hpp); a 429, a 503 or a connection that fails
// or times out halves how many the relay gets at once (relay_window.hpp).

#include <string>
#include <vector>

#include "adapters/curl_multi_loop.hpp"
#include "adapters/send_adapter.hpp"

namespace pf::adapters {

struct HttpSettings {
    std::string url;
    std::string signing_secret;  // empty: no signature header
    std::string bearer_token;    // empty: no Authorization header
    std::string ca_file;
    long connect_timeout_ms = 10000;
    long timeout_ms = 30000;   // per request, from its start (not its wait for room)
    int max_connections = 32;  // requests (and connections) to the relay at once
};

class HttpSender final : public SendAdapter {
  public:
    // Starts the adapter's event loop thread; throws std::runtime_error when
    // libcurl cannot.
    explicit HttpSender(HttpSettings settings);
    ~HttpSender() override;
    std::string_view name() const override { return "http"; }
    // send_many with one email, waited for.
    SendResult send(const OutboundEmail& email) override;
    void send_many(std::vector<OutboundEmail> emails, SendCallback done) override;
    // Every request carries Idempotency-Key: <message id>, so the provider
    // accepts a resend of the same message once.
    bool idempotent(const OutboundEmail&) const override { return true; }

  private:
    HttpSettings settings_;
    CurlMultiLoop loop_;  // after settings_: its transfers read them until it stops
};

// What an HTTP status means for the message.
SendOutcome http_outcome(long status);
// What a finished request says about the relay: 2xx accepted; 429 or 503
// (the relay asks for less) or a connection refused or timed out:
// congested; anything else concerns this email only.
RelayFeedback http_feedback(CURLcode transfer, long status);

// hex(HMAC-SHA256(secret, timestamp + "." + body)), as the receiver recomputes it.
std::string http_signature(const std::string& secret, const std::string& timestamp,
                           const std::string& body);

}  // namespace pf::adapters
