#pragma once
// The one interface every send adapter implements: hand over one email and
// say what became of it. Adapters do not retry; the scheduler decides what a
// transient or permanent failure means for the enrollment.

#include <memory>
#include <string>
#include <string_view>

namespace pf::adapters {

struct OutboundEmail {
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

}  // namespace pf::adapters
