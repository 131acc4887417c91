// Business-day delays on the real engine and a virtual clock: 1,000
// enrollments spread over 2027, five steps each, prospects in Paris,
// Réunion, Guadeloupe (calendars by country) and a German company (no public
// holidays), a campaign that never sends on Fridays, an organisation's and
// a campaign's own days off. Every message in outreach.messages is checked
// against an oracle built from workalendar's days (tests/data/
// french_holidays.tsv), not from the daemon's calendars: no send on a
// weekend, a Friday or a holiday, and each delay exactly N such days.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "integration/engine_fixture.hpp"
#include "scheduler/holiday_calendar.hpp"
#include "scheduler/send_window.hpp"

using namespace pf;
using namespace pf::test;
using namespace std::chrono_literals;
using scheduler::TimePoint;

namespace {

constexpr const char* kOrg = "0c000000-0000-4000-8000-000000000001";
constexpr const char* kCampaign = "0c000000-0000-4000-8000-00000000c001";
constexpr int kEnrollments = 1000;
const std::vector<int> kBusinessDayDelays{0, 1, 2, 3, 5};  // steps 1..5; step 1 goes when enrolled

using Days = std::set<date::local_days>;

// workalendar's days per calendar name.
std::map<std::string, Days> reference_holidays() {
    std::ifstream in(PF_SOURCE_DIR "/tests/data/french_holidays.tsv");
    REQUIRE(in.good());
    std::map<std::string, Days> days;
    std::string line, calendar, day;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::getline(fields, calendar, '\t');
        std::getline(fields, day, '\t');
        days[calendar].insert(*scheduler::parse_iso_day(day));
    }
    return days;
}

std::string seed_sql() {
    std::string q = R"SQL(
INSERT INTO iam.organisations (id, name, slug) VALUES ('$ORG', 'Calendrier', 'calendrier');
INSERT INTO crm.companies (organisation_id, id, name, naf_code, country) VALUES
    ('$ORG', md5('fr')::uuid, 'Société Française', '62.01Z', 'FR'),
    ('$ORG', md5('de')::uuid, 'Deutsche GmbH', '62.01Z', 'DE');
INSERT INTO outreach.prompts (organisation_id, id, name, version, subject_template, body_template)
VALUES ('$ORG', md5('prompt')::uuid, 'p', 1, 'Bonjour {{person.first_name}}', 'Corps');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, send_days,
                                daily_send_limit, from_email, holiday_calendar,
                                holiday_calendar_from_country)
VALUES ('$ORG', '$CAMPAIGN', 'Jours ouvrés', 'draft', 'Europe/Paris', '{1,2,3,4}', 1000000,
        'ventes@calendrier.example', 'fr', true);
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, prompt_id,
                                     delay_unit, delay_amount)
SELECT '$ORG', md5('step' || n)::uuid, '$CAMPAIGN', n, md5('prompt')::uuid,
       CASE WHEN n > 1 THEN 'business_days' END, CASE WHEN n > 1 THEN (ARRAY[0,1,2,3,5])[n] END
FROM generate_series(1, 5) AS n;
INSERT INTO outreach.holidays (organisation_id, campaign_id, day, name) VALUES
    ('$ORG', NULL, '2027-07-15', 'Pont du 14 juillet'),
    ('$ORG', NULL, '2027-12-27', 'Fermeture de fin d''année'),
    ('$ORG', '$CAMPAIGN', '2027-05-05', 'Séminaire'),
    ('$ORG', '$CAMPAIGN', '2027-10-14', 'Salon');
-- A fifth in Réunion, a fifth in Guadeloupe (by the person's country), one
-- in eleven at a German company; the rest in Paris, French companies.
INSERT INTO crm.people (organisation_id, id, first_name, last_name, timezone, country)
SELECT '$ORG', md5('person' || i)::uuid, 'Zoé' || i, 'Nom',
       CASE i % 5 WHEN 0 THEN 'Indian/Reunion' WHEN 1 THEN 'America/Guadeloupe' END,
       CASE i % 5 WHEN 0 THEN 'RE' WHEN 1 THEN 'GP' END
FROM generate_series(1, $N) AS i;
INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email)
SELECT '$ORG', md5('position' || i)::uuid, md5('person' || i)::uuid,
       CASE WHEN i % 11 = 0 AND i % 5 > 1 THEN md5('de') ELSE md5('fr') END::uuid,
       'p' || i || '@prospects.example'
FROM generate_series(1, $N) AS i;
-- Enrolled every 8 h 45 min through 2027: every weekday, every time of day.
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id,
                                           position_id, created_at)
SELECT '$ORG', md5('enrollment' || i)::uuid, '$CAMPAIGN', md5('person' || i)::uuid,
       md5('position' || i)::uuid,
       timestamptz '2027-01-01 00:00:00+00' + (i - 1) * interval '8 hours 45 minutes'
FROM generate_series(1, $N) AS i;
UPDATE outreach.campaigns SET status = 'active' WHERE organisation_id = '$ORG';
)SQL";
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"$ORG", kOrg}, {"$CAMPAIGN", kCampaign}, {"$N", std::to_string(kEnrollments)}}) {
        for (auto at = q.find(from); at != std::string::npos; at = q.find(from, at))
            q.replace(at, from.size(), to);
    }
    return q;
}

// The oracle: a prospect's sending days, from the reference holidays.
struct Oracle {
    const date::time_zone* zone;
    const Days* public_days;  // null: none
    const Days* custom;

    bool sends_on(date::local_days day) const {
        const auto weekday = date::weekday(day).iso_encoding();
        return weekday <= 4 && !(public_days && public_days->count(day)) && !custom->count(day);
    }
    date::local_days nth_after(date::local_days day, int n) const {
        for (int counted = 0; counted < n;) {
            day += date::days{1};
            if (sends_on(day)) ++counted;
        }
        return day;
    }
    TimePoint at(date::local_days day, std::chrono::microseconds time_of_day) const {
        return std::chrono::time_point_cast<std::chrono::microseconds>(
            zone->to_sys(date::local_time<std::chrono::microseconds>(day) + time_of_day,
                         date::choose::earliest));
    }
    // Step 1: the enrollment's own time if inside a window, else the next opening.
    TimePoint first_send(TimePoint created) const {
        const auto local = zone->to_local(created);
        const auto day = date::floor<date::days>(local);
        const auto time_of_day = local - day;
        if (sends_on(day) && time_of_day < 18h)
            return at(day, std::max<std::chrono::microseconds>(time_of_day, 9h));
        return at(nth_after(day, 1), 9h);
    }
};

struct SentMessage {
    std::string enrollment, zone, country;
    int step;
    TimePoint sent_at, created_at;
};

std::vector<SentMessage> sent_messages(EngineFixture& f) {
    pqxx::nontransaction tx(f.connection());
    std::vector<SentMessage> out;
    for (const auto& r : tx.exec(
             "SELECT m.enrollment_id::text AS enrollment, coalesce(p.timezone, c.timezone) AS "
             "zone, "
             "coalesce(p.country, co.country, '') AS country, s.step_order, "
             "pf_micros(m.sent_at) AS sent_at, pf_micros(e.created_at) AS created_at "
             "FROM outreach.messages m "
             "JOIN outreach.campaign_enrollments e ON e.organisation_id = m.organisation_id "
             "  AND e.id = m.enrollment_id "
             "JOIN crm.people p ON p.organisation_id = e.organisation_id AND p.id = e.person_id "
             "JOIN crm.positions pos ON pos.organisation_id = e.organisation_id "
             "  AND pos.id = e.position_id "
             "JOIN crm.companies co ON co.organisation_id = pos.organisation_id "
             "  AND co.id = pos.company_id "
             "JOIN outreach.campaigns c ON c.organisation_id = m.organisation_id "
             "  AND c.id = m.campaign_id "
             "JOIN outreach.workflow_steps s ON s.organisation_id = m.organisation_id "
             "  AND s.id = m.step_id "
             "WHERE m.organisation_id = '" +
             std::string(kOrg) +
             "' AND m.direction = 'outbound' AND m.status = 'sent' "
             "ORDER BY m.enrollment_id, s.step_order")) {
        out.push_back({r["enrollment"].as<std::string>(), r["zone"].as<std::string>(),
                       r["country"].as<std::string>(), r["step_order"].as<int>(),
                       scheduler::from_micros(r["sent_at"].as<long long>()),
                       scheduler::from_micros(r["created_at"].as<long long>())});
    }
    return out;
}

std::string calendar_of_country(const std::string& country) {
    if (country == "RE") return "fr-reunion";
    if (country == "GP") return "fr-guadeloupe";
    if (country == "FR") return "fr";
    return "";  // DE: no public holidays
}

std::string local_text(TimePoint t, const date::time_zone* zone) {
    return date::format("%F %a %T", std::chrono::floor<std::chrono::seconds>(zone->to_local(t)));
}

}  // namespace

TEST_CASE(
    "business-day delays never count or send on a weekend, a non-sending day or a holiday: "
    "1,000 enrollments over a year, checked from the messages table") {
    EngineFixture f("calendar", TimePoint{date::sys_days{date::year{2027} / 1 / 1}});
    f.sql(seed_sql());
    f.run_until(TimePoint{date::sys_days{date::year{2028} / 3 / 1}});

    const auto holidays = reference_holidays();
    const Days custom{
        date::local_days{date::year{2027} / 7 / 15}, date::local_days{date::year{2027} / 12 / 27},
        date::local_days{date::year{2027} / 5 / 5}, date::local_days{date::year{2027} / 10 / 14}};
    const auto messages = sent_messages(f);
    CHECK(messages.size() == kEnrollments * kBusinessDayDelays.size());
    std::map<std::string, int> per_calendar;
    int holidays_passed = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        const auto calendar = calendar_of_country(m.country);
        const Oracle oracle{scheduler::find_time_zone(m.zone),
                            calendar.empty() ? nullptr : &holidays.at(calendar), &custom};
        const auto day = scheduler::local_day(m.sent_at, oracle.zone);
        INFO("enrollment " << m.enrollment << " step " << m.step << " sent "
                           << local_text(m.sent_at, oracle.zone) << " " << m.zone << " "
                           << (calendar.empty() ? "no calendar" : calendar));
        CHECK(oracle.sends_on(day));
        TimePoint expected;
        if (m.step == 1) {
            expected = oracle.first_send(m.created_at);
            ++per_calendar[calendar];
        } else {
            REQUIRE(i > 0);
            const auto& previous = messages[i - 1];
            REQUIRE(previous.enrollment == m.enrollment);
            REQUIRE(previous.step == m.step - 1);
            const auto local = oracle.zone->to_local(previous.sent_at);
            const auto previous_day = date::floor<date::days>(local);
            const auto n = kBusinessDayDelays[static_cast<std::size_t>(m.step - 1)];
            const auto target = oracle.nth_after(previous_day, n);
            expected = oracle.at(target, local - previous_day);
            // Count the sending weekdays the delay stepped over for a holiday.
            for (auto d = previous_day + date::days{1}; d < target; d += date::days{1})
                if (date::weekday(d).iso_encoding() <= 4 && !oracle.sends_on(d)) ++holidays_passed;
        }
        CHECK_MESSAGE(m.sent_at == expected, "expected " << local_text(expected, oracle.zone));
    }
    // Every kind of prospect was there, and delays did run over holidays.
    CHECK(per_calendar["fr"] > 300);
    CHECK(per_calendar["fr-reunion"] == 200);
    CHECK(per_calendar["fr-guadeloupe"] == 200);
    CHECK(per_calendar[""] > 20);
    CHECK(holidays_passed > 100);
    CHECK(f.count("SELECT count(*) FROM outreach.campaign_enrollments WHERE status <> "
                  "'completed'") == 0);
}
