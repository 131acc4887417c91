// ControlStore's statements for sender mailboxes: the list with today's
// counts, pause and resume. The secret column is never read here.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "db/control_store.hpp"
#include "db/row_reader.hpp"

namespace pf::db {
namespace {

// Today's count is the reservation row of the mailbox's own local day (the
// engine reserves there before each hand-over), 0 when it has none yet.
constexpr const char* kListMailboxes = R"sql(
SELECT mb.id, mb.email::text AS email, mb.display_name, mb.status, mb.status_reason,
       to_char(mb.status_changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
           AS status_changed_at,
       mb.timezone, mb.daily_limit, mb.min_gap_seconds, mb.max_jitter_seconds,
       mb.ramp_start_date::text AS ramp_start_date, coalesce(mb.ramp_initial, 0) AS ramp_initial,
       mb.ramp_step_per_day, mb.smtp_url, mb.smtp_username, mb.auth_kind,
       d.local_day::text AS local_day, coalesce(s.reserved, 0) AS sent_today,
       coalesce(p.campaign_ids, '') AS campaign_ids,
       coalesce(e.assigned, 0) AS enrollments_assigned, coalesce(e.active, 0) AS enrollments_active,
       (mb.imap_url IS NOT NULL AND mb.inbound_enabled) AS inbound_enabled, mb.imap_url, mb.imap_security,
       array_to_json(mb.imap_folders)::text AS imap_folders,
       coalesce(ib.mode, 'stopped') AS inbound_mode, ib.locked_by AS inbound_reader,
       to_char(ib.locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS inbound_lease_until,
       to_char(ib.last_poll_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS inbound_last_poll_at,
       to_char(ib.last_success_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS inbound_last_success_at,
       ib.last_error AS inbound_last_error,
       to_char(ib.last_error_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS inbound_last_error_at,
       coalesce(ib.consecutive_failures, 0) AS inbound_failures,
       coalesce(fc.cursors, '[]') AS inbound_cursors, coalesce(ev.recorded, '{}') AS inbound_recorded
FROM outreach.mailboxes mb
LEFT JOIN outreach.mailbox_inbound ib ON ib.organisation_id = mb.organisation_id AND ib.mailbox_id = mb.id
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('folder', c.folder, 'uidvalidity', c.uidvalidity, 'last_uid', c.last_uid)
                    ORDER BY c.folder)::text AS cursors
    FROM outreach.mailbox_folder_cursors c
    WHERE c.organisation_id = mb.organisation_id AND c.mailbox_id = mb.id) fc ON true
LEFT JOIN LATERAL (
    SELECT json_object_agg(k.kind, k.n)::text AS recorded
    FROM (SELECT ie.kind, count(*) AS n FROM outreach.inbound_events ie
          WHERE ie.organisation_id = mb.organisation_id AND ie.mailbox_id = mb.id GROUP BY ie.kind) k) ev ON true
CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE mb.timezone)::date AS local_day) d
LEFT JOIN outreach.mailbox_daily_sends s
  ON s.organisation_id = mb.organisation_id AND s.mailbox_id = mb.id AND s.local_day = d.local_day
LEFT JOIN LATERAL (
    SELECT string_agg(cm.campaign_id::text, ',' ORDER BY cm.campaign_id) AS campaign_ids
    FROM outreach.campaign_mailboxes cm
    WHERE cm.organisation_id = mb.organisation_id AND cm.mailbox_id = mb.id) p ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS assigned, count(*) FILTER (WHERE ce.status = 'active') AS active
    FROM outreach.campaign_enrollments ce
    WHERE ce.organisation_id = mb.organisation_id AND ce.mailbox_id = mb.id) e ON true
WHERE mb.organisation_id = $1
ORDER BY mb.email, mb.id)sql";

// The tasks that wait for this mailbox, by what the engine wrote when it put
// them back (scheduler/mailbox_assignment.cpp, OutcomeWriter::mailbox_unavailable):
// its contacted enrollments' sends, and new starts of its campaigns that found
// no active mailbox in the pool. Other pending tasks keep their run_at: a
// follow-up scheduled days ahead by its step's delay must not go out early.
constexpr const char* kWakeWaitingTasks = R"sql(
WITH woken AS (
    UPDATE outreach.tasks t SET run_at = now()
    WHERE t.organisation_id = $1 AND t.status = 'pending' AND t.run_at > now()
      AND ((t.enrollment_id IN (SELECT ce.id FROM outreach.campaign_enrollments ce
                                WHERE ce.organisation_id = $1 AND ce.mailbox_id = $2)
            AND (t.last_error LIKE 'waiting for its mailbox:%'
                 OR t.last_error LIKE 'deferred: mailbox %'))
           OR (t.campaign_id IN (SELECT cm.campaign_id FROM outreach.campaign_mailboxes cm
                                 WHERE cm.organisation_id = $1 AND cm.mailbox_id = $2)
               AND t.last_error = 'deferred: no active mailbox in the campaign''s pool'))
    RETURNING 1)
SELECT count(*) AS woken FROM woken)sql";

std::vector<std::string> split_ids(const std::string& text) {
    std::vector<std::string> ids;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = std::min(text.find(',', start), text.size());
        ids.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return ids;
}

MailboxInboundSummary inbound_summary(const RowReader& in, const pqxx::row& r) {
    MailboxInboundSummary ib;
    ib.enabled = in.get<bool>(r, "inbound_enabled");
    ib.imap_url = in.nullable(r, "imap_url");
    ib.imap_security = in.nullable(r, "imap_security");
    ib.folders = nlohmann::json::parse(in.text(r, "imap_folders")).get<std::vector<std::string>>();
    ib.mode = in.text(r, "inbound_mode");
    ib.reader = in.nullable(r, "inbound_reader");
    ib.lease_until = in.nullable(r, "inbound_lease_until");
    ib.last_poll_at = in.nullable(r, "inbound_last_poll_at");
    ib.last_success_at = in.nullable(r, "inbound_last_success_at");
    ib.last_error = in.nullable(r, "inbound_last_error");
    ib.last_error_at = in.nullable(r, "inbound_last_error_at");
    ib.consecutive_failures = in.get<int>(r, "inbound_failures");
    const auto cursors = nlohmann::json::parse(in.text(r, "inbound_cursors"));
    for (const auto& c : cursors)
        ib.cursors.push_back({c.at("folder").get<std::string>(), c.at("uidvalidity").get<long long>(),
                              c.at("last_uid").get<long long>()});
    ib.recorded = nlohmann::json::parse(in.text(r, "inbound_recorded")).get<std::map<std::string, long long>>();
    return ib;
}

MailboxSummary mailbox_summary(const RowReader& in, const pqxx::row& r) {
    MailboxSummary m;
    m.id = in.text(r, "id");
    m.email = in.text(r, "email");
    m.display_name = in.nullable(r, "display_name");
    m.status = in.text(r, "status");
    m.status_reason = in.nullable(r, "status_reason");
    m.status_changed_at = in.nullable(r, "status_changed_at");
    m.timezone = in.text(r, "timezone");
    m.daily_limit = in.get<int>(r, "daily_limit");
    m.min_gap_seconds = in.get<int>(r, "min_gap_seconds");
    m.max_jitter_seconds = in.get<int>(r, "max_jitter_seconds");
    m.ramp_start_date = in.nullable(r, "ramp_start_date");
    m.ramp_initial = in.get<int>(r, "ramp_initial");
    m.ramp_step_per_day = in.get<int>(r, "ramp_step_per_day");
    m.smtp_url = in.nullable(r, "smtp_url");
    m.smtp_username = in.nullable(r, "smtp_username");
    m.auth_kind = in.text(r, "auth_kind");
    m.local_day = in.text(r, "local_day");
    m.sent_today = in.get<long long>(r, "sent_today");
    m.campaign_ids = split_ids(in.text(r, "campaign_ids"));
    m.enrollments_assigned = in.get<long long>(r, "enrollments_assigned");
    m.enrollments_active = in.get<long long>(r, "enrollments_active");
    m.inbound = inbound_summary(in, r);
    return m;
}

// Moves the organisation's mailbox to `to` under its row lock: not found,
// unchanged (already there), or changed with the reason, the time, and (to
// active) its failure count reset. Commits nothing.
MailboxChange change_mailbox_status(pqxx::work& tx, const std::string& organisation_id,
                                    const std::string& mailbox_id, const std::string& to,
                                    const std::optional<std::string>& reason) {
    const auto rows = tx.exec_params(R"sql(
SELECT email::text AS email, status FROM outreach.mailboxes
WHERE organisation_id = $1 AND id = $2 FOR UPDATE)sql",
                                     organisation_id, mailbox_id);
    if (rows.empty()) return {ChangeOutcome::not_found, "", "", 0};
    const RowReader in(rows);
    const auto email = in.text(rows[0], "email");
    if (in.text(rows[0], "status") == to) return {ChangeOutcome::unchanged, to, email, 0};
    tx.exec_params(R"sql(
UPDATE outreach.mailboxes
SET status = $3, status_reason = $4, status_changed_at = now(),
    consecutive_failures = CASE WHEN $3 = 'active' THEN 0 ELSE consecutive_failures END
WHERE organisation_id = $1 AND id = $2)sql",
                   organisation_id, mailbox_id, to, reason);
    return {ChangeOutcome::changed, to, email, 0};
}

}  // namespace

std::vector<MailboxSummary> ControlStore::mailboxes(const std::string& organisation_id) {
    pqxx::read_transaction tx(connection_);
    const auto rows = tx.exec_params(kListMailboxes, organisation_id);
    const RowReader in(rows);
    std::vector<MailboxSummary> out;
    for (const auto& r : rows) out.push_back(mailbox_summary(in, r));
    return out;
}

MailboxChange ControlStore::pause_mailbox(const std::string& organisation_id,
                                          const std::string& mailbox_id,
                                          const std::string& reason) {
    pqxx::work tx(connection_);
    const auto change =
        change_mailbox_status(tx, organisation_id, mailbox_id, "paused",
                              "paused by an operator" + (reason.empty() ? "" : ": " + reason));
    tx.commit();
    return change;
}

MailboxChange ControlStore::resume_mailbox(const std::string& organisation_id,
                                           const std::string& mailbox_id) {
    pqxx::work tx(connection_);
    auto change = change_mailbox_status(tx, organisation_id, mailbox_id, "active", std::nullopt);
    if (change.outcome == ChangeOutcome::changed) {
        const auto woken = tx.exec_params(kWakeWaitingTasks, organisation_id, mailbox_id);
        change.tasks_woken = RowReader(woken).get<long long>(woken[0], "woken");
        // Due now: wake idle daemons (tasks have no wake-up trigger on UPDATE).
        if (change.tasks_woken > 0) tx.exec("SELECT pg_notify('prospectflow_tasks', '')");
    }
    tx.commit();
    return change;
}

}  // namespace pf::db
