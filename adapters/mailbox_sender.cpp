#include "adapters/mailbox_sender.hpp"

#include "adapters/pending_sends.hpp"

namespace pf::adapters {

struct MailboxSender::Login {
    std::string password, bearer;
    bool cached_token = false;  // a refusal is worth one try with a fresh token
};

namespace {

std::string mailbox_label(const MailboxAccount& m) {
    return "mailbox " + m.email;
}

}  // namespace

SmtpSettings mailbox_smtp_settings(const MailboxAccount& mailbox,
                                   const MailboxSenderSettings& settings,
                                   const std::string& password, const std::string& bearer) {
    SmtpSettings smtp;
    smtp.url = mailbox.smtp_url;
    // smtps:// is implicit TLS whatever the security says; "tls" on an
    // smtp:// URL means the same.
    if (mailbox.smtp_security == "tls" && smtp.url.rfind("smtp://", 0) == 0)
        smtp.url = "smtps://" + smtp.url.substr(7);
    smtp.starttls = mailbox.smtp_security != "none";
    smtp.username = mailbox.smtp_username.empty() ? mailbox.email : mailbox.smtp_username;
    if (mailbox.secret.empty()) smtp.username.clear();  // no secret: no login
    smtp.password = password;
    smtp.oauth_bearer = bearer;
    smtp.ca_file = settings.ca_file;
    smtp.helo_domain = settings.helo_domain;
    smtp.connect_timeout_ms = settings.connect_timeout_ms;
    smtp.timeout_ms = settings.timeout_ms;
    return smtp;
}

MailboxSender::MailboxSender(MailboxSenderSettings settings, std::optional<MailboxKey> key,
                             std::unique_ptr<SendAdapter> relay)
    : settings_(std::move(settings)),
      key_(std::move(key)),
      relay_(std::move(relay)),
      // One lane per connection, as the smtp adapter (smtp_sender.hpp).
      loop_("mailbox smtp", settings_.max_connections, settings_.max_connections) {}

MailboxSender::~MailboxSender() = default;

bool MailboxSender::idempotent(const OutboundEmail& email) const {
    if (email.mailbox && !email.mailbox->smtp_url.empty()) return false;
    return relay_->idempotent(email);
}

SendResult MailboxSender::send(const OutboundEmail& email) {
    return send_and_wait(*this, email);
}

void MailboxSender::send_many(std::vector<OutboundEmail> emails, SendCallback done) {
    auto shared_done = std::make_shared<const SendCallback>(std::move(done));
    std::vector<OutboundEmail> relayed;
    std::vector<std::size_t> relayed_index;
    for (std::size_t i = 0; i < emails.size(); ++i) {
        if (emails[i].mailbox && !emails[i].mailbox->smtp_url.empty()) {
            send_through_mailbox(std::move(emails[i]), i, shared_done, false);
        } else {
            relayed.push_back(std::move(emails[i]));
            relayed_index.push_back(i);
        }
    }
    if (relayed.empty()) return;
    relay_->send_many(std::move(relayed),
                      [shared_done, relayed_index](std::size_t i, SendResult r) {
                          (*shared_done)(relayed_index[i], std::move(r));
                      });
}

MailboxSender::Login MailboxSender::log_in(const MailboxAccount& mailbox, bool fresh_token) {
    Login login;
    if (mailbox.secret.empty()) return login;
    if (!key_)
        throw MailboxSecretError(
            "no mailbox key configured ([mailboxes] secret_key_file, PROSPECTFLOW_MAILBOX_KEY "
            "or the systemd credential mailbox-key)");
    const auto secret = decrypt_mailbox_secret(*key_, mailbox.secret);
    if (mailbox.auth_kind != "xoauth2") {
        login.password = secret;
        return login;
    }
    auto client = settings_.oauth;
    if (!mailbox.oauth_token_url.empty()) client.token_url = mailbox.oauth_token_url;
    if (!mailbox.oauth_client_id.empty()) client.client_id = mailbox.oauth_client_id;
    login.cached_token = !fresh_token;
    login.bearer = tokens_.access_token(mailbox.id, client, secret, fresh_token);
    return login;
}

void MailboxSender::send_through_mailbox(OutboundEmail email, std::size_t index,
                                         std::shared_ptr<const SendCallback> done,
                                         bool fresh_token) {
    const auto mailbox = *email.mailbox;
    Login login;
    try {
        login = log_in(mailbox, fresh_token);
    } catch (const MailboxSecretError& e) {
        (*done)(index, SendResult::sender_failed(SenderProblem::authentication,
                                                 mailbox_label(mailbox) + ": " + e.what()));
        return;
    } catch (const OAuthError& e) {
        (*done)(index, SendResult::sender_failed(
                           e.refused() ? SenderProblem::authentication : SenderProblem::connection,
                           mailbox_label(mailbox) + ": " + e.what()));
        return;
    }
    // A login refused with a cached token: once more with a fresh token
    // (the cached one may have been revoked early), then the result stands.
    auto retry_email = login.cached_token ? std::make_shared<OutboundEmail>(email) : nullptr;
    auto on_done = std::make_shared<const SendCallback>(
        [this, done, index, retry_email, label = mailbox_label(mailbox)](std::size_t,
                                                                         SendResult r) {
            if (retry_email && r.sender_problem == SenderProblem::authentication) {
                tokens_.forget(retry_email->mailbox->id);
                send_through_mailbox(std::move(*retry_email), index, done, true);
                return;
            }
            if (r.outcome != SendOutcome::sent) r.reason = label + ": " + r.reason;
            (*done)(index, std::move(r));
        });
    const auto key = "mailbox " + mailbox.id + " " + mailbox.smtp_url;
    std::vector<std::unique_ptr<CurlTransfer>> transfers;
    transfers.push_back(
        smtp_transfer(mailbox_smtp_settings(mailbox, settings_, login.password, login.bearer),
                      std::move(email), 0, std::move(on_done)));
    loop_.submit(key, std::move(transfers));
}

}  // namespace pf::adapters
