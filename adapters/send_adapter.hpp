#pragma once
// The one interface every send adapter implements: hand over one email and
// say what became of it. Adapters do not retry; the scheduler decides what a
// transient or permanent failure means for the enrollment.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pf::adapters {

// The sending mailbox of an email from a campaign's pool (outreach.mailboxes):
// its own SMTP account. The secret is still encrypted: only the mailbox
// sender decrypts it, for the login.
struct MailboxAccount {
    std::string id, email;
    std::string smtp_url, smtp_security;   // security: tls, starttls, none
    std::string smtp_username, auth_kind;  // auth_kind: password, xoauth2
    std::string secret;                    // "pfsec1:..." (mailbox_secret.hpp); empty: no login
    std::string oauth_token_url, oauth_client_id;  // empty: the daemon's defaults
};

struct OutboundEmail {
    std::string organisation_id, campaign_id;  // for routing to an adapter
    std::string message_id;      // outreach.messages.id: adapters key idempotency on it
    std::string rfc_message_id;  // Message-ID header value, without angle brackets
    std::string from_email;
    std::string to_email;
    std::string subject;
    std::string mime;                       // the complete RFC 5322 message, CRLF line ends
    std::optional<MailboxAccount> mailbox;  // sent through this account, when set
};

enum class SendOutcome { sent, transient_failure, permanent_failure };

// A failure that is the sending account's, not the email's: the login was
// refused (535, a refused OAuth refresh token, a secret that does not
// decrypt) or the server could not be reached before any transaction began.
// Nothing of the email was handed over; the mailbox's health decides.
enum class SenderProblem { none, authentication, connection };

struct SendResult {
    SendOutcome outcome = SendOutcome::sent;
    std::string provider_message_id;  // what the provider calls it, when it says
    std::string reason;               // why it failed, in the provider's words
    SenderProblem sender_problem = SenderProblem::none;

    static SendResult sent(std::string provider_id = {}) {
        return {SendOutcome::sent, std::move(provider_id), {}};
    }
    static SendResult transient(std::string why) {
        return {SendOutcome::transient_failure, {}, std::move(why)};
    }
    static SendResult permanent(std::string why) {
        return {SendOutcome::permanent_failure, {}, std::move(why)};
    }
    static SendResult sender_failed(SenderProblem problem, std::string why) {
        return {SendOutcome::transient_failure, {}, std::move(why), problem};
    }
};

std::string_view to_string(SendOutcome outcome);

// Reports the result of emails[i] as done(i, result), exactly once per email,
// from any thread, possibly before send_many returns. Emails are in flight
// at once where the adapter can do that. `done` must be cheap and must not throw.
using SendCallback = std::function<void(std::size_t index, SendResult result)>;

class SendAdapter {
  public:
    virtual ~SendAdapter() = default;
    virtual std::string_view name() const = 0;
    // Must be safe to call from several worker threads at once.
    virtual SendResult send(const OutboundEmail& email) = 0;
    // Hands over a batch. The default calls send() for each email in order on
    // the caller's thread (an exception becomes a transient failure), so an
    // adapter that cannot overlap transfers needs nothing more. Adapters that
    // can (smtp, http, log) return at once and report from their own thread.
    // Must be safe to call from several threads at once, like send().
    virtual void send_many(std::vector<OutboundEmail> emails, SendCallback done);
    // Whether handing this email over again, with the same message_id,
    // reaches its recipient at most once (the provider deduplicates on a key
    // the adapter derives from it, as the http adapter's Idempotency-Key). A
    // send whose outcome a crash lost is then resent instead of held for an
    // operator. False unless the adapter knows better.
    virtual bool idempotent(const OutboundEmail& email) const;
};

// Routes each email to one of several adapters by configuration: the first
// rule whose campaign or sender (address or domain) matches, else the
// default. The rules are data, so choosing an adapter per campaign or
// sender needs no code.
struct RouteRule {
    std::string campaign_id;  // empty: any
    std::string from_email;   // empty: any (compared case-insensitively)
    std::string from_domain;  // empty: any
    std::string adapter;      // a name in the router's adapters
};

class RoutingSender final : public SendAdapter {
  public:
    RoutingSender(std::vector<RouteRule> rules, std::string default_adapter,
                  std::map<std::string, std::unique_ptr<SendAdapter>> adapters);
    std::string_view name() const override { return name_; }
    SendResult send(const OutboundEmail& email) override;
    // Splits the batch by route and hands each part to its adapter's
    // send_many, so the relays behind different adapters work at the same
    // time; `done` sees the indexes of the caller's batch. A part whose adapter
    // is synchronous (file) holds the call until it is written.
    void send_many(std::vector<OutboundEmail> emails, SendCallback done) override;
    // The adapter an email would go to (tests, logs).
    SendAdapter& route(const OutboundEmail& email) const;
    bool idempotent(const OutboundEmail& email) const override {
        return route(email).idempotent(email);
    }

  private:
    std::vector<RouteRule> rules_;
    std::string default_adapter_;
    std::map<std::string, std::unique_ptr<SendAdapter>> adapters_;
    std::string name_;
};

}  // namespace pf::adapters
