// EngineStore::Transaction's statements for sender mailboxes
// (db/statements/mailboxes.sql): pools, mailbox rows, per-day counts, health.
#include <algorithm>
#include <pqxx/pqxx>

#include "db/engine_store.hpp"
#include "db/engine_store_detail.hpp"
#include "db/row_reader.hpp"

namespace pf::db {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

MailboxRow mailbox_row(const RowReader& in, const pqxx::row& r) {
    MailboxRow m;
    m.organisation_id = in.text(r, "organisation_id");
    m.id = in.text(r, "id");
    m.email = in.text(r, "email");
    m.display_name = in.text(r, "display_name");
    m.status = in.text(r, "status");
    m.status_reason = in.text(r, "status_reason");
    m.timezone = in.text(r, "timezone");
    m.daily_limit = in.get<int>(r, "daily_limit");
    m.min_gap_seconds = in.get<int>(r, "min_gap_seconds");
    m.max_jitter_seconds = in.get<int>(r, "max_jitter_seconds");
    m.ramp_start_date = in.text(r, "ramp_start_date");
    m.ramp_initial = in.get<int>(r, "ramp_initial");
    m.ramp_step_per_day = in.get<int>(r, "ramp_step_per_day");
    m.smtp_url = in.text(r, "smtp_url");
    m.smtp_security = in.text(r, "smtp_security");
    m.smtp_username = in.text(r, "smtp_username");
    m.auth_kind = in.text(r, "auth_kind");
    m.secret = in.text(r, "secret");
    m.oauth_token_url = in.text(r, "oauth_token_url");
    m.oauth_client_id = in.text(r, "oauth_client_id");
    return m;
}

std::vector<MailboxDayCount> day_counts(const pqxx::result& rows) {
    const RowReader in(rows);
    std::vector<MailboxDayCount> counts;
    for (const auto& r : rows)
        counts.push_back({in.text(r, "organisation_id"), in.text(r, "mailbox_id"),
                          in.text(r, "local_day"), in.get<int>(r, "reserved"),
                          in.get<int>(r, "due_followups")});
    return counts;
}

}  // namespace

std::vector<DailyCapGrant> EngineStore::Transaction::reserve_starts(
    const std::vector<DailyCapRequest>& requests) {
    if (requests.empty()) return {};
    const auto rows =
        store_.run(*tx_, "pf_reserve_starts",
                   column(requests, [](const auto& w) { return w.organisation_id; }),
                   column(requests, [](const auto& w) { return w.campaign_id; }),
                   column(requests, [](const auto& w) { return w.local_day; }),
                   column(requests, [](const auto& w) { return std::to_string(w.wanted); }));
    const RowReader in(rows);
    std::vector<DailyCapGrant> grants;
    for (const auto& r : rows)
        grants.push_back({in.text(r, "organisation_id"), in.text(r, "campaign_id"),
                          in.text(r, "local_day"), in.get<int>(r, "granted")});
    return grants;
}

std::vector<PoolMember> EngineStore::Transaction::campaign_pools(const Pairs& campaigns) {
    if (campaigns.empty()) return {};
    const auto rows = store_.run(*tx_, "pf_campaign_pools",
                                 column(campaigns, [](const auto& c) { return c.first; }),
                                 column(campaigns, [](const auto& c) { return c.second; }));
    const RowReader in(rows);
    std::vector<PoolMember> pools;
    for (const auto& r : rows)
        pools.push_back({in.text(r, "organisation_id"), in.text(r, "campaign_id"),
                         in.text(r, "mailbox_id"), in.get<int>(r, "weight")});
    return pools;
}

std::vector<MailboxRow> EngineStore::Transaction::mailboxes(const Pairs& ids) {
    if (ids.empty()) return {};
    const auto rows =
        store_.run(*tx_, "pf_mailboxes", column(ids, [](const auto& c) { return c.first; }),
                   column(ids, [](const auto& c) { return c.second; }));
    const RowReader in(rows);
    std::vector<MailboxRow> found;
    for (const auto& r : rows) found.push_back(mailbox_row(in, r));
    return found;
}

std::vector<MailboxDayCount> EngineStore::Transaction::lock_mailbox_days(
    const std::vector<MailboxDaySlots>& days, Micros now) {
    if (days.empty()) return {};
    const auto organisations = column(days, [](const auto& d) { return d.organisation_id; });
    const auto mailboxes = column(days, [](const auto& d) { return d.mailbox_id; });
    const auto local_days = column(days, [](const auto& d) { return d.local_day; });
    // Created at 0 first (a new day), so that the lock below finds every row.
    store_.run(*tx_, "pf_ensure_mailbox_days", organisations, mailboxes, local_days);
    return day_counts(
        store_.run(*tx_, "pf_lock_mailbox_days", organisations, mailboxes, local_days, now));
}

std::vector<MailboxDayCount> EngineStore::Transaction::peek_mailbox_days(
    const std::vector<MailboxDaySlots>& days) {
    if (days.empty()) return {};
    return day_counts(store_.run(*tx_, "pf_peek_mailbox_days",
                                 column(days, [](const auto& d) { return d.organisation_id; }),
                                 column(days, [](const auto& d) { return d.mailbox_id; }),
                                 column(days, [](const auto& d) { return d.local_day; })));
}

void EngineStore::Transaction::take_mailbox_slots(const std::vector<MailboxDaySlots>& slots) {
    if (slots.empty()) return;
    store_.run(*tx_, "pf_take_mailbox_days",
               column(slots, [](const auto& d) { return d.organisation_id; }),
               column(slots, [](const auto& d) { return d.mailbox_id; }),
               column(slots, [](const auto& d) { return d.local_day; }),
               column(slots, [](const auto& d) { return std::to_string(d.n); }));
}

void EngineStore::Transaction::release_mailbox_slots(const std::vector<MailboxDaySlots>& slots) {
    if (slots.empty()) return;
    store_.run(*tx_, "pf_release_mailbox_days",
               column(slots, [](const auto& d) { return d.organisation_id; }),
               column(slots, [](const auto& d) { return d.mailbox_id; }),
               column(slots, [](const auto& d) { return d.local_day; }),
               column(slots, [](const auto& d) { return std::to_string(d.n); }));
}

void EngineStore::Transaction::record_mailbox_health(const std::vector<MailboxHealth>& health,
                                                     int failures_to_error, Micros now) {
    if (health.empty()) return;
    store_.run(*tx_, "pf_mailbox_health",
               column(health, [](const auto& h) { return h.organisation_id; }),
               column(health, [](const auto& h) { return h.mailbox_id; }),
               column(health, [](const auto& h) { return h.problem; }),
               column(health, [](const auto& h) { return h.reason; }), now, failures_to_error);
}

}  // namespace pf::db
