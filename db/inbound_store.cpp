#include "db/inbound_store.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "db/row_reader.hpp"

namespace pf::db {
namespace {

InboundMailboxRow inbound_mailbox(const RowReader& in, const pqxx::row& r) {
    InboundMailboxRow m;
    m.organisation_id = in.text(r, "organisation_id");
    m.id = in.text(r, "id");
    m.email = in.text(r, "email");
    m.timezone = in.text(r, "timezone");
    m.imap_url = in.text(r, "imap_url");
    m.imap_security = in.text(r, "imap_security");
    m.imap_username = in.text(r, "imap_username");
    m.smtp_username = in.text(r, "smtp_username");
    m.auth_kind = in.text(r, "auth_kind");
    m.secret = in.text(r, "secret");
    m.oauth_token_url = in.text(r, "oauth_token_url");
    m.oauth_client_id = in.text(r, "oauth_client_id");
    m.folders = nlohmann::json::parse(in.text(r, "folders")).get<std::vector<std::string>>();
    return m;
}

// Every mailbox with an imap_url gets its inbound row (its lease and state).
void ensure_inbound_rows(pqxx::transaction_base& tx) {
    tx.exec(R"sql(
INSERT INTO outreach.mailbox_inbound (organisation_id, mailbox_id)
SELECT mb.organisation_id, mb.id FROM outreach.mailboxes mb
WHERE mb.imap_url IS NOT NULL AND mb.inbound_enabled
  AND NOT EXISTS (SELECT 1 FROM outreach.mailbox_inbound r
                  WHERE r.organisation_id = mb.organisation_id AND r.mailbox_id = mb.id)
ON CONFLICT (organisation_id, mailbox_id) DO NOTHING)sql");
}

// A mailbox whose reading was turned off (or whose imap_url went) is let go.
void release_disabled(pqxx::transaction_base& tx, const std::string& instance) {
    tx.exec_params(R"sql(
UPDATE outreach.mailbox_inbound r SET locked_by = NULL, locked_until = NULL, mode = 'stopped'
FROM outreach.mailboxes mb
WHERE r.locked_by = $1 AND mb.organisation_id = r.organisation_id AND mb.id = r.mailbox_id
  AND (mb.imap_url IS NULL OR NOT mb.inbound_enabled))sql",
                   instance);
}

std::optional<MatchedMessage> match(pqxx::transaction_base& tx, const InboundMailboxRow& mailbox,
                                    const InboundMessageRecord& m, int recent_days,
                                    std::int64_t now_micros) {
    if (auto by_id = match_by_message_ids(tx, mailbox.organisation_id, m.refers_to)) return by_id;
    return match_recent_recipient(tx, mailbox.organisation_id, mailbox.id, m.counterpart_email,
                                  recent_days, now_micros);
}

// False when this Message-ID was already recorded for the mailbox.
bool insert_event(pqxx::transaction_base& tx, const InboundMailboxRow& mailbox,
                  const std::string& folder, const InboundMessageRecord& m,
                  const MatchedMessage& ours) {
    const auto rows = tx.exec_params(R"sql(
INSERT INTO outreach.inbound_events
    (organisation_id, mailbox_id, folder, uid, rfc_message_id, kind, message_id, enrollment_id,
     campaign_id, from_email, subject, status, diagnostic, return_date, reason, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, nullif($10, ''), nullif($11, ''), nullif($12, ''),
        nullif($13, ''), $14::date, nullif($15, ''), pf_from_micros($16))
ON CONFLICT (organisation_id, mailbox_id, rfc_message_id) WHERE mailbox_id IS NOT NULL DO NOTHING
RETURNING id)sql",
                                     mailbox.organisation_id, mailbox.id, folder, m.uid,
                                     m.rfc_message_id, m.kind, ours.message_id, ours.enrollment_id,
                                     ours.campaign_id, m.from_email, m.subject, m.status,
                                     m.diagnostic, m.return_date, m.reason, m.received_micros);
    return !rows.empty();
}

EffectResult apply(pqxx::transaction_base& tx, const MatchedMessage& ours,
                   const InboundMessageRecord& m, const EffectSettings& settings,
                   std::int64_t now_micros) {
    if (m.kind == "reply")
        return apply_reply(tx, ours,
                           ReplyFacts{m.rfc_message_id, m.in_reply_to, m.from_email, m.to_email,
                                      m.subject, m.body_text, m.received_micros});
    if (m.kind == "hard_bounce" || m.kind == "soft_bounce")
        return apply_bounce(tx, ours, BounceFacts{m.kind == "hard_bounce", m.status, m.diagnostic},
                            settings, now_micros);
    return apply_auto_reply(tx, ours, m.return_date);
}

InboundRecordResult record_one(pqxx::transaction_base& tx, const InboundMailboxRow& mailbox,
                               const std::string& folder, const InboundMessageRecord& m,
                               const EffectSettings& settings, std::int64_t now_micros) {
    InboundRecordResult result;
    result.kind = "unrelated";
    if (m.kind == "unrelated") return result;
    const auto ours = match(tx, mailbox, m, settings.recent_recipient_days, now_micros);
    if (!ours) return result;  // nothing stored beyond the cursor
    result.kind = m.kind;
    if (!insert_event(tx, mailbox, folder, m, *ours)) {
        result.duplicate = true;
        return result;
    }
    result.effect = apply(tx, *ours, m, settings, now_micros);
    return result;
}

void move_cursor(pqxx::transaction_base& tx, const InboundMailboxRow& mailbox,
                 const FolderBatch& batch) {
    tx.exec_params(R"sql(
INSERT INTO outreach.mailbox_folder_cursors (organisation_id, mailbox_id, folder, uidvalidity, last_uid)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (organisation_id, mailbox_id, folder) DO UPDATE
SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid)sql",
                   mailbox.organisation_id, mailbox.id, batch.folder, batch.uidvalidity,
                   batch.last_uid);
}

bool still_leased(pqxx::transaction_base& tx, const InboundMailboxRow& mailbox,
                  const std::string& instance) {
    // FOR UPDATE: a rescue by another daemon waits until this batch is in.
    const auto rows = tx.exec_params(R"sql(
SELECT 1 FROM outreach.mailbox_inbound
WHERE organisation_id = $1 AND mailbox_id = $2 AND locked_by = $3
FOR UPDATE)sql",
                                     mailbox.organisation_id, mailbox.id, instance);
    return !rows.empty();
}

}  // namespace

std::vector<InboundMailboxRow> InboundStore::lease_mailboxes(const std::string& instance,
                                                             std::int64_t now_micros,
                                                             int lease_seconds,
                                                             int instance_timeout_seconds,
                                                             int limit) {
    pqxx::work tx(connection_);
    ensure_inbound_rows(tx);
    release_disabled(tx, instance);
    const auto rows =
        tx.exec_params(R"sql(
WITH free AS (
    SELECT r.organisation_id, r.mailbox_id
    FROM outreach.mailbox_inbound r
    JOIN outreach.mailboxes mb ON mb.organisation_id = r.organisation_id AND mb.id = r.mailbox_id
    LEFT JOIN outreach.instances i ON i.id = r.locked_by
    WHERE mb.imap_url IS NOT NULL AND mb.inbound_enabled
      AND (r.locked_by IS NULL OR r.locked_until < pf_from_micros($2)
           OR (r.locked_by <> $1 AND i.heartbeat_at < pf_from_micros($2) - make_interval(secs => $4)))
    ORDER BY r.last_poll_at NULLS FIRST, r.organisation_id, r.mailbox_id
    LIMIT greatest($5 - (SELECT count(*) FROM outreach.mailbox_inbound WHERE locked_by = $1), 0)
    FOR UPDATE OF r SKIP LOCKED),
taken AS (
    UPDATE outreach.mailbox_inbound r
    SET locked_by = $1, locked_until = pf_from_micros($2) + make_interval(secs => $3)
    WHERE r.locked_by = $1 OR (r.organisation_id, r.mailbox_id) IN (SELECT * FROM free)
    RETURNING r.organisation_id, r.mailbox_id)
SELECT mb.organisation_id, mb.id, mb.email::text AS email, mb.timezone, mb.imap_url, mb.imap_security,
       coalesce(mb.imap_username, '') AS imap_username, coalesce(mb.smtp_username, '') AS smtp_username,
       mb.auth_kind, coalesce(mb.secret, '') AS secret, coalesce(mb.oauth_token_url, '') AS oauth_token_url,
       coalesce(mb.oauth_client_id, '') AS oauth_client_id, array_to_json(mb.imap_folders)::text AS folders
FROM taken t
JOIN outreach.mailboxes mb ON mb.organisation_id = t.organisation_id AND mb.id = t.mailbox_id
ORDER BY mb.organisation_id, mb.id)sql",
                       instance, now_micros, lease_seconds, instance_timeout_seconds, limit);
    tx.commit();
    const RowReader in(rows);
    std::vector<InboundMailboxRow> out;
    for (const auto& r : rows) out.push_back(inbound_mailbox(in, r));
    return out;
}

int InboundStore::release_mailboxes(const std::string& instance) {
    pqxx::work tx(connection_);
    const auto r = tx.exec_params(R"sql(
UPDATE outreach.mailbox_inbound SET locked_by = NULL, locked_until = NULL, mode = 'stopped'
WHERE locked_by = $1)sql",
                                  instance);
    tx.commit();
    return static_cast<int>(r.affected_rows());
}

std::vector<FolderCursorRow> InboundStore::cursors(const std::string& organisation_id,
                                                   const std::string& mailbox_id) {
    pqxx::read_transaction tx(connection_);
    const auto rows = tx.exec_params(R"sql(
SELECT folder, uidvalidity, last_uid FROM outreach.mailbox_folder_cursors
WHERE organisation_id = $1 AND mailbox_id = $2 ORDER BY folder)sql",
                                     organisation_id, mailbox_id);
    const RowReader in(rows);
    std::vector<FolderCursorRow> out;
    for (const auto& r : rows)
        out.push_back({in.text(r, "folder"), in.get<std::int64_t>(r, "uidvalidity"),
                       in.get<std::int64_t>(r, "last_uid")});
    return out;
}

std::optional<std::vector<InboundRecordResult>> InboundStore::record_folder_batch(
    const InboundMailboxRow& mailbox, const FolderBatch& batch, const std::string& instance,
    std::int64_t now_micros, const EffectSettings& settings) {
    pqxx::work tx(connection_);
    if (!still_leased(tx, mailbox, instance)) return std::nullopt;
    std::vector<InboundRecordResult> results;
    for (const auto& m : batch.messages)
        results.push_back(record_one(tx, mailbox, batch.folder, m, settings, now_micros));
    move_cursor(tx, mailbox, batch);
    tx.commit();
    return results;
}

void InboundStore::report_state(const std::string& organisation_id, const std::string& mailbox_id,
                                const InboundStateUpdate& update, std::int64_t now_micros) {
    pqxx::work tx(connection_);
    tx.exec_params(R"sql(
UPDATE outreach.mailbox_inbound
SET mode = $3, last_poll_at = pf_from_micros($5),
    last_success_at = CASE WHEN $4::text IS NULL THEN pf_from_micros($5) ELSE last_success_at END,
    last_error = coalesce($4, last_error),
    last_error_at = CASE WHEN $4::text IS NULL THEN last_error_at ELSE pf_from_micros($5) END,
    consecutive_failures = CASE WHEN $4::text IS NULL THEN 0 ELSE consecutive_failures + 1 END
WHERE organisation_id = $1 AND mailbox_id = $2)sql",
                   organisation_id, mailbox_id, update.mode, update.error, now_micros);
    tx.commit();
}

}  // namespace pf::db
