#pragma once
// Sends each email of a campaign's mailbox pool through that mailbox's own
// SMTP account (outreach.mailboxes: URL, security, user name, password or
// OAuth refresh token), and every other email through the configured
// adapter. One libcurl multi loop for all mailboxes; each mailbox is its own
// relay key (URL and login), so its connections are reused for its emails
// and a mailbox that answers 421 slows down only itself.
//
// Secrets are decrypted here, per login, with the daemon's mailbox key; a
// secret that does not decrypt, a refused login (535) or a refused refresh
// token is reported as SenderProblem::authentication with a reason naming
// the mailbox, never the secret. xoauth2 mailboxes log in with an access
// token from OAuthTokenSource; when the server refuses a cached token, the
// email is tried once more with a fresh one before it is reported.

#include <memory>
#include <optional>
#include <string>

#include "adapters/curl_multi_loop.hpp"
#include "adapters/mailbox_secret.hpp"
#include "adapters/oauth_token_source.hpp"
#include "adapters/send_adapter.hpp"
#include "adapters/smtp_sender.hpp"

namespace pf::adapters {

struct MailboxSenderSettings {
    int max_connections = 16;  // all mailboxes together
    long connect_timeout_ms = 10000;
    long timeout_ms = 60000;
    std::string ca_file;      // extra CA bundle for the mailboxes' servers
    std::string helo_domain;  // EHLO name; empty: libcurl's default
    OAuthClient oauth;        // defaults for mailboxes that name no endpoint or client
};

class MailboxSender final : public SendAdapter {
  public:
    // `relay`: where emails without a mailbox go. `key`: absent when the
    // daemon has none, and then every mailbox with a secret fails its login.
    MailboxSender(MailboxSenderSettings settings, std::optional<MailboxKey> key,
                  std::unique_ptr<SendAdapter> relay);
    ~MailboxSender() override;
    std::string_view name() const override { return relay_->name(); }
    SendResult send(const OutboundEmail& email) override;
    void send_many(std::vector<OutboundEmail> emails, SendCallback done) override;
    // A mailbox's own SMTP account is not (SMTP has no idempotency key); an
    // email without one goes to the relay, which decides.
    bool idempotent(const OutboundEmail& email) const override;

  private:
    struct Login;
    void send_through_mailbox(OutboundEmail email, std::size_t index,
                              std::shared_ptr<const SendCallback> done, bool fresh_token);
    SmtpSettings account_settings(const MailboxAccount& mailbox, const Login& login) const;
    Login log_in(const MailboxAccount& mailbox, bool fresh_token);

    MailboxSenderSettings settings_;
    std::optional<MailboxKey> key_;
    std::unique_ptr<SendAdapter> relay_;
    OAuthTokenSource tokens_;
    CurlMultiLoop loop_;  // last: its threads use the members above until it stops
};

// The SMTP settings of a mailbox account with `password` or `bearer` (one of them).
SmtpSettings mailbox_smtp_settings(const MailboxAccount& mailbox,
                                   const MailboxSenderSettings& settings,
                                   const std::string& password, const std::string& bearer);

}  // namespace pf::adapters
