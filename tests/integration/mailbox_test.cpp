// Sender mailboxes on the virtual clock (the replayer), checked from the
// messages table: three mailboxes (limits 10, 20 and 30, the last ramping up
// from 5 by 5 a day, in Paris and New York), two campaigns sharing two of
// them, 500 prospects over three weeks across both DST changes of March 2027.
#include <doctest/doctest.h>

#include <map>
#include <pqxx/pqxx>
#include <set>

#include "integration/scratch_database.hpp"
#include "replay/fixture.hpp"
#include "replay/replayer.hpp"
#include "scheduler/mailbox_rotation.hpp"
#include "scheduler/send_window.hpp"

using namespace pf;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kOrg = "c0000000-0000-4000-8000-000000000001";

std::string id(char kind, int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "c%c000000-0000-4000-8000-%012d", kind, n);
    return buf;
}

json mailbox_row(int n, const std::string& zone, int limit, bool ramp) {
    json m = {{"organisation_id", kOrg},
              {"id", id('e', n)},
              {"email", "m" + std::to_string(n) + "@senders.example"},
              {"display_name", "Boîte " + std::to_string(n)},
              {"timezone", zone},
              {"daily_limit", limit},
              {"min_gap_seconds", 60},
              {"max_jitter_seconds", 120},
              {"smtp_url", "smtp://smtp.senders.example:587"}};
    if (ramp) {
        m["ramp_start_date"] = "2027-03-08";
        m["ramp_initial"] = 5;
        m["ramp_step_per_day"] = 5;
    }
    return m;
}

json campaign_row(int n, const std::string& zone) {
    return {{"organisation_id", kOrg},
            {"id", id('a', n)},
            {"name", "Campagne " + std::to_string(n)},
            {"status", "active"},
            {"timezone", zone},
            {"send_window_start", "09:00:00"},
            {"send_window_end", "17:00:00"},
            {"send_days", {1, 2, 3, 4, 5}},
            {"daily_send_limit", 100000},
            {"from_email", "campagne@senders.example"}};
}

// Campaign 1 (Paris) uses m1, m2, m3; campaign 2 (New York) m2 and m3.
json fixture() {
    json t;
    t["iam.organisations"] = {{{"id", kOrg}, {"name", "Boîtes partagées"}, {"slug", "partage"}}};
    t["outreach.mailboxes"] = {mailbox_row(1, "Europe/Paris", 10, false),
                               mailbox_row(2, "Europe/Paris", 20, false),
                               mailbox_row(3, "America/New_York", 30, true)};
    t["outreach.prompts"] = {{{"organisation_id", kOrg},
                              {"id", id('f', 1)},
                              {"name", "p"},
                              {"version", 1},
                              {"subject_template", "Bonjour {{person.first_name}}"},
                              {"body_template", "Une idée, {{person.first_name}}."}}};
    t["outreach.campaigns"] = {campaign_row(1, "Europe/Paris"),
                               campaign_row(2, "America/New_York")};
    t["outreach.campaign_mailboxes"] = json::array();
    for (const auto& [campaign, mailbox] :
         std::vector<std::pair<int, int>>{{1, 1}, {1, 2}, {1, 3}, {2, 2}, {2, 3}})
        t["outreach.campaign_mailboxes"].push_back({{"organisation_id", kOrg},
                                                    {"campaign_id", id('a', campaign)},
                                                    {"mailbox_id", id('e', mailbox)}});
    t["outreach.workflow_steps"] = json::array();
    for (int c = 1; c <= 2; ++c)
        for (int s = 1; s <= 3; ++s)
            t["outreach.workflow_steps"].push_back({{"organisation_id", kOrg},
                                                    {"id", id('b', c * 10 + s)},
                                                    {"campaign_id", id('a', c)},
                                                    {"step_order", s},
                                                    {"delay_seconds", s == 1 ? 0 : 86400 * s},
                                                    {"prompt_id", id('f', 1)},
                                                    {"condition", "always"},
                                                    {"thread_with_previous", s > 1}});
    t["crm.people"] = json::array();
    t["outreach.campaign_enrollments"] = json::array();
    for (int i = 1; i <= 500; ++i) {
        t["crm.people"].push_back({{"organisation_id", kOrg},
                                   {"id", id('d', i)},
                                   {"first_name", "P" + std::to_string(i)},
                                   {"last_name", "N"},
                                   {"email", "p" + std::to_string(i) + "@prospects.example"}});
        t["outreach.campaign_enrollments"].push_back({{"organisation_id", kOrg},
                                                      {"id", id('c', i)},
                                                      {"campaign_id", id('a', 1 + i % 2)},
                                                      {"person_id", id('d', i)},
                                                      {"status", "active"},
                                                      {"current_step_order", 0},
                                                      {"next_run_at", "2027-03-08T07:00:00Z"}});
    }
    return {{"format", "prospectflow-replay-fixture"},
            {"version", 1},
            {"replay",
             {{"from", "2027-03-08T07:00:00Z"},
              {"until", "21d"},
              {"seed", 11},
              {"spacing_min_ms", 0},
              {"spacing_max_ms", 0}}},
            {"tables", t},
            {"events", json::array()}};
}

struct Sent {
    std::string mailbox, enrollment, campaign;
    int step = 0;
    scheduler::TimePoint at;
};

std::vector<Sent> sent_messages(pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<Sent> out;
    for (const auto& r : tx.exec(
             "SELECT coalesce(m.mailbox_id::text, ''), m.enrollment_id::text, m.campaign_id::text, "
             "s.step_order, pf_micros(m.sent_at) FROM outreach.messages m JOIN "
             "outreach.workflow_steps s "
             "ON s.organisation_id = m.organisation_id AND s.id = m.step_id "
             "WHERE m.status = 'sent' ORDER BY m.sent_at, m.id"))
        out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].as<int>(), scheduler::from_micros(r[4].as<db::Micros>())});
    return out;
}

scheduler::SendWindow window_of(const std::string& campaign) {
    scheduler::SendWindow w;
    w.start = 9h;
    w.end = 17h;
    w.weekdays = 0x1F;
    w.zone =
        scheduler::find_time_zone(campaign == id('a', 1) ? "Europe/Paris" : "America/New_York");
    return w;
}

}  // namespace

TEST_CASE(
    "mailboxes: three weeks, 500 prospects, two campaigns sharing two mailboxes, two DST changes") {
    test::TestDatabase database("mailboxes");
    const auto result =
        replay::replay(database.url(), replay::parse_fixture(fixture().dump(), "mailbox fixture"));
    pqxx::connection c(database.url());
    const auto sent = sent_messages(c);
    REQUIRE(sent.size() > 500);

    std::map<std::string, db::MailboxRow> mailboxes;
    for (int n = 1; n <= 3; ++n) {
        db::MailboxRow m;
        m.id = id('e', n);
        m.timezone = n == 3 ? "America/New_York" : "Europe/Paris";
        m.daily_limit = n * 10;
        if (n == 3) {
            m.ramp_start_date = "2027-03-08";
            m.ramp_initial = 5;
            m.ramp_step_per_day = 5;
        }
        mailboxes[m.id] = m;
    }

    // No mailbox over its effective limit on any of its local days.
    std::map<std::pair<std::string, date::local_days>, int> per_day;
    for (const auto& s : sent) {
        REQUIRE_MESSAGE(mailboxes.contains(s.mailbox), "sent without a pool mailbox");
        const auto zone = scheduler::find_time_zone(mailboxes[s.mailbox].timezone);
        ++per_day[{s.mailbox, scheduler::local_day(s.at, zone)}];
    }
    int full_days = 0;
    for (const auto& [key, count] : per_day) {
        const auto limit = scheduler::effective_daily_limit(mailboxes[key.first], key.second);
        CHECK_MESSAGE(count <= limit, key.first << " on " << date::format("%F", key.second) << ": "
                                                << count << " > " << limit);
        if (count == limit) ++full_days;
    }
    CHECK(full_days > 20);  // the limits, not the prospects, decided
    // The ramp: m3 sent 5 on its first day, 10 on its second.
    CHECK(per_day[{id('e', 3), date::local_days(date::year(2027) / 3 / 8)}] == 5);
    CHECK(per_day[{id('e', 3), date::local_days(date::year(2027) / 3 / 9)}] == 10);

    // Gaps never under min_gap_seconds, across both campaigns.
    std::map<std::string, scheduler::TimePoint> last;
    for (const auto& s : sent) {
        if (const auto it = last.find(s.mailbox); it != last.end())
            CHECK_MESSAGE(s.at - it->second >= 60s, s.mailbox << ": two sends "
                                                              << (s.at - it->second).count()
                                                              << " µs apart");
        last[s.mailbox] = s.at;
    }

    // Every enrollment keeps one mailbox, the one recorded on it.
    std::map<std::string, std::set<std::string>> of_enrollment;
    for (const auto& s : sent) of_enrollment[s.enrollment].insert(s.mailbox);
    for (const auto& [e, set] : of_enrollment) CHECK_MESSAGE(set.size() == 1, e);
    {
        pqxx::read_transaction tx(c);
        CHECK(tx.exec1(
                    "SELECT count(*) FROM outreach.messages m JOIN outreach.campaign_enrollments e "
                    "ON e.organisation_id = m.organisation_id AND e.id = m.enrollment_id "
                    "WHERE m.status = 'sent' AND m.mailbox_id IS DISTINCT FROM e.mailbox_id")[0]
                  .as<long long>() == 0);
        // The counters agree with the messages.
        CHECK(tx.exec1("SELECT count(*) FROM outreach.mailbox_daily_sends d WHERE d.reserved <> "
                       "(SELECT count(*) FROM outreach.messages m JOIN outreach.mailboxes mb ON "
                       "mb.organisation_id = m.organisation_id AND mb.id = m.mailbox_id WHERE "
                       "m.mailbox_id = d.mailbox_id AND m.status = 'sent' AND "
                       "(m.sent_at AT TIME ZONE mb.timezone)::date = d.local_day)")[0]
                  .as<long long>() == 0);
    }

    // Each morning, follow-ups that were due when the mailbox's day began go
    // before its first new start of the day.
    std::map<std::pair<std::string, int>, Sent> by_step;  // (enrollment, step)
    for (const auto& s : sent) by_step[{s.enrollment, s.step}] = s;
    std::map<std::pair<std::string, date::local_days>, scheduler::TimePoint> first_send,
        first_start;
    for (const auto& s : sent) {
        const auto zone = scheduler::find_time_zone(mailboxes[s.mailbox].timezone);
        const std::pair key{s.mailbox, scheduler::local_day(s.at, zone)};
        first_send.try_emplace(key, s.at);
        if (s.step == 1) first_start.try_emplace(key, s.at);
    }
    int morning_followups = 0;
    for (const auto& s : sent) {
        if (s.step == 1) continue;
        const auto& previous = by_step.at({s.enrollment, s.step - 1});
        const auto due = scheduler::next_window_time(previous.at + std::chrono::hours(24 * s.step),
                                                     window_of(s.campaign));
        const auto zone = scheduler::find_time_zone(mailboxes[s.mailbox].timezone);
        const std::pair key{s.mailbox, scheduler::local_day(s.at, zone)};
        if (due > first_send.at(key)) continue;
        ++morning_followups;
        if (const auto start = first_start.find(key); start != first_start.end())
            CHECK_MESSAGE(s.at < start->second,
                          s.mailbox << ": a follow-up due since " << date::format("%FT%TZ", due)
                                    << " went after a new start, at "
                                    << date::format("%FT%TZ", s.at) << "; first send "
                                    << date::format("%FT%TZ", first_send.at(key))
                                    << ", first start " << date::format("%FT%TZ", start->second)
                                    << " step " << s.step << " " << s.enrollment);
    }
    CHECK(morning_followups > 50);
    MESSAGE(sent.size() << " sends, " << full_days << " full mailbox-days, " << morning_followups
                        << " morning follow-ups, " << result.batches << " batches");
}
