#include "daemon/inbound_sink.hpp"

#include <date/date.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "adapters/inbound_parser.hpp"
#include "db/connection.hpp"
#include "scheduler/inbound_classification.hpp"

namespace pf::daemon {
namespace {

std::string lowercase(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

void add_count(InboundCounters& c, const db::InboundRecordResult& r) {
    if (r.duplicate) {
        ++c.duplicates;
        return;
    }
    if (r.kind == "reply")
        ++c.replies;
    else if (r.kind == "hard_bounce")
        ++c.hard_bounces;
    else if (r.kind == "soft_bounce")
        ++c.soft_bounces;
    else if (r.kind == "auto_reply")
        ++c.auto_replies;
    else
        ++c.unrelated;
    if (r.effect.mailbox_paused) ++c.mailboxes_paused;
    if (r.effect.campaign_paused) ++c.campaigns_paused;
}

std::string effect_words(const db::InboundRecordResult& r) {
    std::string words = "enrollment " + r.effect.enrollment_id;
    if (r.effect.enrollment_ended) words += " ended";
    if (r.effect.colleagues_stopped > 0)
        words += fmt::format(", {} colleague enrollment(s) stopped", r.effect.colleagues_stopped);
    if (r.effect.resume_at) words += ", next step not before " + *r.effect.resume_at;
    if (r.effect.mailbox_paused) words += "; mailbox paused: " + *r.effect.mailbox_paused;
    if (r.effect.campaign_paused) words += "; campaign paused: " + *r.effect.campaign_paused;
    return words;
}

}  // namespace

db::InboundStore InboundDatabase::store() {
    if (!connection_) connection_ = db::connect(url_);
    return db::InboundStore(*connection_);
}

std::string content_key(std::string_view raw) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(raw.data(), raw.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex = "sha256:";
    for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

adapters::ImapEndpoint imap_endpoint(const db::InboundMailboxRow& mailbox,
                                     const InboundConfig& config) {
    adapters::ImapEndpoint e;
    std::string rest;
    if (mailbox.imap_url.rfind("imaps://", 0) == 0) {
        e.security = adapters::ImapSecurity::tls;
        rest = mailbox.imap_url.substr(8);
    } else if (mailbox.imap_url.rfind("imap://", 0) == 0) {
        e.security = mailbox.imap_security == "tls"        ? adapters::ImapSecurity::tls
                     : mailbox.imap_security == "starttls" ? adapters::ImapSecurity::starttls
                                                           : adapters::ImapSecurity::none;
        rest = mailbox.imap_url.substr(7);
    } else {
        throw std::invalid_argument("imap_url '" + mailbox.imap_url +
                                    "' is not imap:// or imaps://");
    }
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    const auto colon = rest.rfind(':');
    e.host = rest.substr(0, colon);
    e.port = e.security == adapters::ImapSecurity::tls ? 993 : 143;
    if (colon != std::string::npos) e.port = std::stoi(rest.substr(colon + 1));
    e.ca_file = config.ca_file;
    e.timeout = std::chrono::seconds(config.connect_timeout_seconds);
    return e;
}

std::map<std::string, adapters::InboundFolderCursor> MailboxInboundSink::cursors() {
    const auto rows = context_.database->with_store([&](db::InboundStore store) {
        return store.cursors(mailbox_.organisation_id, mailbox_.id);
    });
    std::map<std::string, adapters::InboundFolderCursor> out;
    for (const auto& r : rows)
        out[r.folder] = {static_cast<std::uint32_t>(r.uidvalidity),
                         static_cast<std::uint32_t>(r.last_uid)};
    return out;
}

db::InboundMessageRecord MailboxInboundSink::to_record(
    const adapters::FetchedMessage& message) const {
    const auto facts = adapters::parse_inbound(message.raw);
    const auto now = context_.clock->now();
    const auto arrived =
        message.internal_date_unix > 0
            ? std::chrono::sys_seconds(std::chrono::seconds(message.internal_date_unix))
            : std::chrono::floor<std::chrono::seconds>(now);
    const auto verdict =
        scheduler::classify_inbound(facts, std::chrono::floor<date::days>(arrived));
    db::InboundMessageRecord r;
    r.uid = message.uid;
    r.kind = scheduler::to_string(verdict.kind);
    r.rfc_message_id = facts.message_id.empty() ? content_key(message.raw) : facts.message_id;
    r.refers_to = verdict.refers_to;
    r.counterpart_email = lowercase(verdict.counterpart_email);
    r.from_email = facts.from_email;
    r.to_email = facts.to_email;
    r.subject = facts.subject;
    r.body_text = facts.text;
    r.in_reply_to = facts.in_reply_to.empty() ? "" : facts.in_reply_to.front();
    r.status = verdict.status;
    r.diagnostic = verdict.diagnostic;
    r.reason = verdict.reason;
    if (verdict.return_date)
        r.return_date = date::format("%F", date::sys_days(*verdict.return_date));
    r.received_micros =
        scheduler::to_micros(std::chrono::time_point_cast<std::chrono::microseconds>(arrived));
    return r;
}

bool MailboxInboundSink::deliver(const adapters::InboundFolderBatch& batch) {
    db::FolderBatch records{batch.folder, batch.uidvalidity, batch.last_uid, {}};
    for (const auto& m : batch.messages) records.messages.push_back(to_record(m));
    const auto& c = *context_.config;
    const db::EffectSettings settings{c.bounce_window_sends, c.bounce_window_days,
                                      c.bounce_pause_percent, c.recent_recipient_days};
    const auto now = scheduler::to_micros(context_.clock->now());
    const auto results = context_.database->with_store([&](db::InboundStore store) {
        return store.record_folder_batch(mailbox_, records, context_.instance_id, now, settings);
    });
    if (!results) {
        spdlog::info("inbound: {}: the lease went to another daemon; this one stops reading it",
                     mailbox_.email);
        return false;
    }
    count_and_log(batch, *results);
    return true;
}

void MailboxInboundSink::count_and_log(const adapters::InboundFolderBatch& batch,
                                       const std::vector<db::InboundRecordResult>& results) const {
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        add_count(*context_.counters, r);
        if (r.kind == "unrelated") continue;
        spdlog::info("inbound: {} {} uid {}: {}{} ({})", mailbox_.email, batch.folder,
                     batch.messages[i].uid, r.kind,
                     r.duplicate ? ", seen before: nothing done" : "",
                     r.duplicate ? "" : effect_words(r));
    }
}

void MailboxInboundSink::report(adapters::InboundMode mode,
                                const std::optional<std::string>& error) {
    if (error) ++context_.counters->read_errors;
    const auto now = scheduler::to_micros(context_.clock->now());
    try {
        context_.database->with_store([&](db::InboundStore store) {
            store.report_state(mailbox_.organisation_id, mailbox_.id,
                               db::InboundStateUpdate{adapters::to_string(mode), error}, now);
            return 0;
        });
    } catch (const std::exception& e) {
        // The state is for operators; the reading goes on without it.
        spdlog::warn("inbound: {}: could not record the reader's state: {}", mailbox_.email,
                     e.what());
    }
}

adapters::ImapCredentials MailboxInboundSink::credentials(bool fresh) {
    adapters::ImapCredentials login;
    login.username = !mailbox_.imap_username.empty()   ? mailbox_.imap_username
                     : !mailbox_.smtp_username.empty() ? mailbox_.smtp_username
                                                       : mailbox_.email;
    if (mailbox_.secret.empty())
        throw adapters::ImapError(adapters::ImapFailure::authentication,
                                  "mailbox " + mailbox_.email + " has no secret to log in with");
    if (!*context_.key)
        throw adapters::ImapError(adapters::ImapFailure::authentication,
                                  "no mailbox key configured ([mailboxes] secret_key_file or "
                                  "PROSPECTFLOW_MAILBOX_KEY): cannot decrypt the secret of " +
                                      mailbox_.email);
    std::string secret;
    try {
        secret = adapters::decrypt_mailbox_secret(**context_.key, mailbox_.secret);
    } catch (const adapters::MailboxSecretError& e) {
        throw adapters::ImapError(adapters::ImapFailure::authentication,
                                  "the secret of mailbox " + mailbox_.email + ": " + e.what());
    }
    if (mailbox_.auth_kind != "xoauth2") {
        login.secret = std::move(secret);
        return login;
    }
    auto client = *context_.oauth;
    if (!mailbox_.oauth_token_url.empty()) client.token_url = mailbox_.oauth_token_url;
    if (!mailbox_.oauth_client_id.empty()) client.client_id = mailbox_.oauth_client_id;
    login.kind = adapters::ImapAuthKind::xoauth2;
    try {
        login.secret = context_.tokens->access_token(mailbox_.organisation_id + "/" + mailbox_.id,
                                                     client, secret, fresh);
    } catch (const adapters::OAuthError& e) {
        throw adapters::ImapError(
            e.refused() ? adapters::ImapFailure::authentication : adapters::ImapFailure::connection,
            "OAuth token for " + mailbox_.email + ": " + e.what());
    }
    return login;
}

}  // namespace pf::daemon
