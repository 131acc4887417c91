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

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/curl_pool.hpp"
#include "adapters/send_adapter.hpp"

namespace pf::adapters {

struct HttpSettings {
    std::string url;
    std::string signing_secret;  // empty: no signature header
    std::string bearer_token;    // empty: no Authorization header
    std::string ca_file;
    long connect_timeout_ms = 10000;
    long timeout_ms = 30000;
};

class HttpSender final : public SendAdapter {
  public:
    explicit HttpSender(HttpSettings settings);
    ~HttpSender() override;
    std::string_view name() const override { return "http"; }
    SendResult send(const OutboundEmail& email) override;

  private:
    HttpSettings settings_;
    CurlPool pool_;
};

// What an HTTP status means for the message.
SendOutcome http_outcome(long status);

// hex(HMAC-SHA256(secret, timestamp + "." + body)), as the receiver recomputes it.
std::string http_signature(const std::string& secret, const std::string& timestamp,
                           const std::string& body);

}  // namespace pf::adapters
