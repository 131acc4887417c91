#pragma once
// The one interface every send adapter implements: hand over one email and
// say what became of it. Adapters do not retry; the scheduler decides what a
// transient or permanent failure means for the enrollment.

#include <map>
#include <memory>
#include <vector>
#include <string>
#include <string_view>

namespace pf::adapters {

struct OutboundEmail {
    std::string organisation_id, campaign_id;  // for routing to an adapter
    std::string message_id;      // outreach.messages.id: adapters key idempotency on it
    std::string rfc_message_id;  // Message-ID header value, without angle brackets
    std::string from_email;
    std::string to_email;
    std::string subject;
    std::string mime;  // the complete RFC 5322 message, CRLF line ends
};

enum class SendOutcome { sent, transient_failure, permanent_failure };

struct SendResult {
    SendOutcome outcome = SendOutcome::sent;
    std::string provider_message_id;  // what the provider calls it, when it says
    std::string reason;               // why it failed, in the provider's words

    static SendResult sent(std::string provider_id = {}) {
        return {SendOutcome::sent, std::move(provider_id), {}};
    }
    static SendResult transient(std::string why) {
        return {SendOutcome::transient_failure, {}, std::move(why)};
    }
    static SendResult permanent(std::string why) {
        return {SendOutcome::permanent_failure, {}, std::move(why)};
    }
};

std::string_view to_string(SendOutcome outcome);

class SendAdapter {
  public:
    virtual ~SendAdapter() = default;
    virtual std::string_view name() const = 0;
    // Must be safe to call from several worker threads at once.
    virtual SendResult send(const OutboundEmail& email) = 0;
};

// Routes each email to one of several adapters by configuration: the first
// rule whose campaign or sender (address or domain) matches, else the
// default. The rules are data, so choosing an adapter per campaign or
// sender needs no code.
struct RouteRule {
    std::string campaign_id;   // empty: any
    std::string from_email;    // empty: any (compared case-insensitively)
    std::string from_domain;   // empty: any
    std::string adapter;       // a name in the router's adapters
};

class RoutingSender final : public SendAdapter {
  public:
    RoutingSender(std::vector<RouteRule> rules, std::string default_adapter,
                  std::map<std::string, std::unique_ptr<SendAdapter>> adapters);
    std::string_view name() const override { return name_; }
    SendResult send(const OutboundEmail& email) override;
    // The adapter an email would go to (tests, logs).
    SendAdapter& route(const OutboundEmail& email) const;

  private:
    std::vector<RouteRule> rules_;
    std::string default_adapter_;
    std::map<std::string, std::unique_ptr<SendAdapter>> adapters_;
    std::string name_;
};

}  // namespace pf::adapters
