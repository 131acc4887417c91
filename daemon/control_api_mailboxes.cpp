// ControlApi's sender mailbox routes: the list with today's count and
// limit, pause and resume. No answer and no log line carries a secret: the
// store never reads it.
#include <date/date.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <stdexcept>

#include "daemon/control_api.hpp"
#include "db/connection.hpp"
#include "db/control_store.hpp"
#include "scheduler/mailbox_rotation.hpp"

namespace pf::daemon {
namespace {

using nlohmann::json;

json optional_text(const std::optional<std::string>& value) {
    return value ? json(*value) : json(nullptr);
}

// The limit the engine applies on the mailbox's local day: the same
// function, so the list and the reservation never disagree.
int limit_today(const db::MailboxSummary& m) {
    db::MailboxRow row;
    row.daily_limit = m.daily_limit;
    row.ramp_start_date = m.ramp_start_date.value_or("");
    row.ramp_initial = m.ramp_initial;
    row.ramp_step_per_day = m.ramp_step_per_day;
    int y = 0;
    unsigned mo = 0, d = 0;
    if (std::sscanf(m.local_day.c_str(), "%d-%u-%u", &y, &mo, &d) != 3)
        throw std::runtime_error("bad local day from the database: " + m.local_day);
    return scheduler::effective_daily_limit(row, date::local_days{date::year{y} / mo / d});
}

json inbound_json(const db::MailboxInboundSummary& ib) {
    json cursors = json::array();
    for (const auto& c : ib.cursors)
        cursors.push_back({{"folder", c.folder}, {"uidvalidity", c.uidvalidity}, {"last_uid", c.last_uid}});
    json recorded = json::object();
    for (const char* kind : {"reply", "hard_bounce", "soft_bounce", "auto_reply"})
        recorded[kind] = ib.recorded.count(kind) ? ib.recorded.at(kind) : 0;
    return {{"enabled", ib.enabled},
            {"imap_url", ib.imap_url ? json(db::redact_database_url(*ib.imap_url)) : json(nullptr)},
            {"imap_security", optional_text(ib.imap_security)},
            {"folders", ib.folders},
            {"mode", ib.mode},
            {"reader", optional_text(ib.reader)},
            {"lease_until", optional_text(ib.lease_until)},
            {"last_poll_at", optional_text(ib.last_poll_at)},
            {"last_success_at", optional_text(ib.last_success_at)},
            {"last_error", optional_text(ib.last_error)},
            {"last_error_at", optional_text(ib.last_error_at)},
            {"consecutive_failures", ib.consecutive_failures},
            {"cursors", cursors},
            {"recorded", recorded}};
}

json mailbox_json(const db::MailboxSummary& m) {
    return {
        {"id", m.id},
        {"email", m.email},
        {"display_name", optional_text(m.display_name)},
        {"status", m.status},
        {"status_reason", optional_text(m.status_reason)},
        {"status_changed_at", optional_text(m.status_changed_at)},
        {"timezone", m.timezone},
        {"local_day", m.local_day},
        {"daily_limit", m.daily_limit},
        {"limit_today", limit_today(m)},
        {"sent_today", m.sent_today},
        {"ramp", m.ramp_start_date ? json{{"start_date", *m.ramp_start_date},
                                          {"initial", m.ramp_initial},
                                          {"step_per_day", m.ramp_step_per_day}}
                                   : json(nullptr)},
        {"min_gap_seconds", m.min_gap_seconds},
        {"max_jitter_seconds", m.max_jitter_seconds},
        // A password written into the URL (smtps://user:pass@host) shows as ***.
        {"smtp_url", m.smtp_url ? json(db::redact_database_url(*m.smtp_url)) : json(nullptr)},
        {"smtp_username", optional_text(m.smtp_username)},
        {"auth_kind", m.auth_kind},
        {"campaign_ids", m.campaign_ids},
        {"enrollments", {{"assigned", m.enrollments_assigned}, {"active", m.enrollments_active}}},
        {"inbound", inbound_json(m.inbound)}};
}

ApiResponse no_mailbox(const std::string& organisation_id, const std::string& mailbox_id) {
    return ControlApi::error(404,
                             "no mailbox " + mailbox_id + " in organisation " + organisation_id);
}

json change_json(const std::string& mailbox_id, const db::MailboxChange& change) {
    return {{"mailbox_id", mailbox_id},
            {"email", change.email},
            {"status", change.status},
            {"changed", change.outcome == db::ChangeOutcome::changed}};
}

// One info line per change: route, organisation, mailbox, result.
void log_change(const char* route, const std::string& organisation_id,
                const db::MailboxChange& change, const std::string& reason) {
    if (change.outcome != db::ChangeOutcome::changed) return;
    const auto woken = std::string(route) == "resume"
                           ? "; " + std::to_string(change.tasks_woken) + " waiting task(s) due now"
                           : std::string();
    spdlog::info("control: mailbox {}: {} of {} is now {}{}{}", route, change.email,
                 organisation_id, change.status, reason.empty() ? "" : " (" + reason + ")", woken);
}

}  // namespace

ApiResponse ControlApi::mailboxes(const std::string& organisation_id) {
    return with_store([&](db::ControlStore& store) {
        if (!store.organisation_exists(organisation_id))
            return error(404, "no organisation " + organisation_id);
        json list = json::array();
        for (const auto& m : store.mailboxes(organisation_id)) list.push_back(mailbox_json(m));
        return ApiResponse{200, json{{"organisation_id", organisation_id}, {"mailboxes", list}}, "",
                           ""};
    });
}

ApiResponse ControlApi::pause_mailbox(const std::string& organisation_id,
                                      const std::string& mailbox_id, const std::string& reason) {
    return with_store([&](db::ControlStore& store) {
        const auto change = store.pause_mailbox(organisation_id, mailbox_id, reason);
        if (change.outcome == db::ChangeOutcome::not_found)
            return no_mailbox(organisation_id, mailbox_id);
        log_change("pause", organisation_id, change, reason);
        return ApiResponse{200, change_json(mailbox_id, change), "", ""};
    });
}

ApiResponse ControlApi::resume_mailbox(const std::string& organisation_id,
                                       const std::string& mailbox_id, const std::string& reason) {
    return with_store([&](db::ControlStore& store) {
        const auto change = store.resume_mailbox(organisation_id, mailbox_id);
        if (change.outcome == db::ChangeOutcome::not_found)
            return no_mailbox(organisation_id, mailbox_id);
        log_change("resume", organisation_id, change, reason);
        auto body = change_json(mailbox_id, change);
        body["tasks_due_now"] = change.tasks_woken;
        return ApiResponse{200, body, "", ""};
    });
}

}  // namespace pf::daemon
