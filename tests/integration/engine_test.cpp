// The engine on a virtual clock against a real PostgreSQL: windows across
// daylight-saving changes, daily limits, pacing, A/B, stops, pause and
// resume, failures and the unknown-outcome hold.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "integration/engine_fixture.hpp"
#include "scheduler/instance_liveness.hpp"
#include "scheduler/send_window.hpp"

using namespace pf;
using namespace pf::test;
using namespace std::chrono_literals;
using scheduler::TimePoint;

namespace {

TimePoint utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
    return TimePoint{date::sys_days{date::year{y} / m / d} + std::chrono::hours{hh} +
                     std::chrono::minutes{mm}};
}

struct CampaignSpec {
    CampaignSpec(std::string org_id, std::string campaign_id, std::string short_name)
        : org(std::move(org_id)), campaign(std::move(campaign_id)), slug(std::move(short_name)) {}
    std::string org;       // uuid
    std::string campaign;  // uuid
    std::string slug;
    std::string timezone = "Europe/Paris";
    std::string window_start = "09:00", window_end = "18:00";
    std::string days = "{1,2,3,4,5}";
    int daily_limit = 1000;
    std::vector<int> delays{0};
    std::vector<std::string> conditions;
    int enrollments = 10;
    std::string person_timezone = "NULL";  // SQL over i
    TimePoint created_at;
    std::string status = "active";
    std::vector<int> variant_weights;  // non-empty: an experiment on step 1
    std::string body_template = "Bonjour {{person.first_name}}, une idée pour {{company.name}}.";
};

void seed(EngineFixture& f, const CampaignSpec& s) {
    std::string q;
    q += "INSERT INTO iam.organisations (id, name, slug) VALUES ('" + s.org + "', 'Org " + s.slug +
         "', '" + s.slug + "') ON CONFLICT DO NOTHING;";
    q += "INSERT INTO crm.companies (organisation_id, id, name, naf_code) VALUES ('" + s.org +
         "', md5('" + s.campaign + "company')::uuid, 'Société Égale', '62.01Z');";
    q += "INSERT INTO outreach.prompts (organisation_id, id, name, version, subject_template, "
         "body_template) VALUES "
         "('" +
         s.org + "', md5('" + s.campaign + "p1')::uuid, 'p-" + s.campaign +
         "', 1, 'Bonjour {{person.first_name}}', $$" + s.body_template + "$$), ('" + s.org +
         "', md5('" + s.campaign + "p2')::uuid, 'p-" + s.campaign +
         "', 2, 'Une idée, {{person.first_name}}', 'Autre corps pour {{company.name}}');";
    q += "INSERT INTO outreach.campaigns (organisation_id, id, name, status, timezone, "
         "send_window_start, send_window_end, "
         "send_days, daily_send_limit, from_email, from_name) VALUES ('" +
         s.org + "', '" + s.campaign + "', 'Campagne " + s.slug + "', 'draft', '" + s.timezone +
         "', '" + s.window_start + "', '" + s.window_end + "', '" + s.days + "', " +
         std::to_string(s.daily_limit) + ", 'ventes@" + s.slug + ".example', 'Équipe Ventes');";
    for (std::size_t i = 0; i < s.delays.size(); ++i) {
        const auto order = std::to_string(i + 1);
        const auto condition = i < s.conditions.size() ? s.conditions[i] : "always";
        q += "INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, "
             "delay_seconds, prompt_id, "
             "condition) VALUES ('" +
             s.org + "', md5('" + s.campaign + "step" + order + "')::uuid, '" + s.campaign + "', " +
             order + ", " + std::to_string(s.delays[i]) + ", md5('" + s.campaign + "p1')::uuid, '" +
             condition + "');";
    }
    if (!s.variant_weights.empty()) {
        q += "INSERT INTO outreach.step_experiments (organisation_id, id, step_id) VALUES ('" +
             s.org + "', md5('" + s.campaign + "experiment')::uuid, md5('" + s.campaign +
             "step1')::uuid);";
        for (std::size_t i = 0; i < s.variant_weights.size(); ++i) {
            const std::string label(1, static_cast<char>('A' + i));
            q += "INSERT INTO outreach.step_experiment_variants (organisation_id, id, "
                 "experiment_id, label, weight, "
                 "prompt_id) VALUES ('" +
                 s.org + "', md5('" + s.campaign + "variant" + label + "')::uuid, md5('" +
                 s.campaign + "experiment')::uuid, '" + label + "', " +
                 std::to_string(s.variant_weights[i]) + ", md5('" + s.campaign + "p" +
                 std::to_string(i % 2 + 1) + "')::uuid);";
        }
    }
    q += "INSERT INTO crm.people (organisation_id, id, first_name, last_name, timezone) SELECT '" +
         s.org + "', md5('" + s.campaign + "person' || i)::uuid, 'Zoé' || i, 'Nom', " +
         s.person_timezone + " FROM generate_series(1, " + std::to_string(s.enrollments) +
         ") AS i;";
    q += "INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email) SELECT '" +
         s.org + "', md5('" + s.campaign + "position' || i)::uuid, md5('" + s.campaign +
         "person' || i)::uuid, md5('" + s.campaign + "company')::uuid, 'p' || i || '@" + s.slug +
         "-prospects.example' FROM generate_series(1, " + std::to_string(s.enrollments) + ") AS i;";
    q += "INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, "
         "position_id, created_at) "
         "SELECT '" +
         s.org + "', md5('" + s.campaign + "enrollment' || i)::uuid, '" + s.campaign + "', md5('" +
         s.campaign + "person' || i)::uuid, md5('" + s.campaign + "position' || i)::uuid, " +
         sql_time(s.created_at) + " FROM generate_series(1, " + std::to_string(s.enrollments) +
         ") AS i;";
    // Activation enqueues every enrollment's first step, due at created_at.
    if (s.status == "active")
        q += "UPDATE outreach.campaigns SET status = 'active' WHERE organisation_id = '" + s.org +
             "' AND id = '" + s.campaign + "';";
    f.sql(q);
}

struct SentRow {
    std::string recipient_zone;
    TimePoint sent_at;
    std::string enrollment;
    int step = 0;
};

std::vector<SentRow> sent_rows(EngineFixture& f, const std::string& campaign) {
    pqxx::nontransaction tx(f.connection());
    std::vector<SentRow> rows;
    for (const auto& r : tx.exec(
             "SELECT coalesce(p.timezone, c.timezone), pf_micros(m.sent_at), m.enrollment_id, "
             "s.step_order "
             "FROM outreach.messages m "
             "JOIN outreach.campaign_enrollments e ON e.organisation_id = m.organisation_id AND "
             "e.id = m.enrollment_id "
             "JOIN crm.people p ON p.organisation_id = e.organisation_id AND p.id = e.person_id "
             "JOIN outreach.campaigns c ON c.organisation_id = m.organisation_id AND c.id = "
             "m.campaign_id "
             "JOIN outreach.workflow_steps s ON s.organisation_id = m.organisation_id AND s.id = "
             "m.step_id "
             "WHERE m.campaign_id = '" +
             campaign + "' AND m.status = 'sent' ORDER BY m.sent_at")) {
        rows.push_back({r[0].as<std::string>(), scheduler::from_micros(r[1].as<long long>()),
                        r[2].as<std::string>(), r[3].as<int>()});
    }
    return rows;
}

}  // namespace

TEST_CASE(
    "windows hold across both daylight-saving changes, for Paris and New York prospects; the daily "
    "limit too") {
    EngineFixture f("windows", utc(2026, 3, 26, 6));
    f.settings().spacing_min = 20s;
    f.settings().spacing_max = 40s;
    CampaignSpec spring{"0a000000-0000-4000-8000-000000000001",
                        "0a000000-0000-4000-8000-00000000c001", "printemps"};
    spring.delays = {0, 2 * 86400, 3 * 86400};
    spring.daily_limit = 25;
    spring.enrollments = 60;
    spring.person_timezone =
        "CASE WHEN i % 3 = 0 THEN 'America/New_York' WHEN i % 3 = 1 THEN 'Europe/Paris' END";
    spring.created_at = utc(2026, 3, 26, 6);  // Thursday before the last Sunday of March
    seed(f, spring);
    CampaignSpec autumn = spring;
    autumn.campaign = "0a000000-0000-4000-8000-00000000c002";
    autumn.slug = "automne";
    autumn.org = "0a000000-0000-4000-8000-000000000002";
    autumn.created_at = utc(2026, 10, 22, 6);  // Thursday before the last Sunday of October
    seed(f, autumn);

    f.run_until(utc(2026, 12, 1));

    for (const auto& [campaign, label] :
         {std::pair{spring.campaign, "spring"}, std::pair{autumn.campaign, "autumn"}}) {
        INFO(label);
        const auto rows = sent_rows(f, campaign);
        CHECK(rows.size() == 180);  // 60 enrollments x 3 steps
        std::map<date::local_days, int> per_day;
        std::set<std::pair<std::string, int>> seen;
        TimePoint previous{};
        const auto* paris = scheduler::find_time_zone("Europe/Paris");
        for (const auto& r : rows) {
            const auto* zone = scheduler::find_time_zone(r.recipient_zone);
            const auto local = zone->to_local(r.sent_at);
            const auto day = date::floor<date::days>(local);
            const auto time_of_day = local - day;
            const auto weekday = date::weekday(day).iso_encoding();
            INFO("sent at " << date::format("%F %T", local) << " " << r.recipient_zone);
            CHECK(time_of_day >= 9h);
            CHECK(time_of_day < 18h);
            CHECK(weekday <= 5);
            ++per_day[scheduler::local_day(r.sent_at, paris)];
            CHECK(seen.insert({r.enrollment, r.step}).second);  // one email per (enrollment, step)
            if (previous != TimePoint{}) CHECK(r.sent_at - previous >= 20s);  // one sender, paced
            previous = r.sent_at;
        }
        for (const auto& [day, n] : per_day) {
            INFO("day " << date::format("%F", day));
            CHECK(n <= 25);
        }
        CHECK(per_day.size() >= 7);  // the limit spread the sends over days
    }
    CHECK(
        f.count("SELECT count(*) FROM outreach.campaign_enrollments WHERE status <> 'completed'") ==
        0);
    CHECK(f.count("SELECT count(*) FROM outreach.tasks WHERE status IN ('pending', 'running')") ==
          0);
}

TEST_CASE(
    "volume: A/B with ten thousand enrollments split 50/50 within 48-52%; changed weights move "
    "nobody; a winner "
    "takes the new") {
    EngineFixture f("abtest", utc(2026, 11, 23, 10));
    CampaignSpec s{"0b000000-0000-4000-8000-000000000001", "0b000000-0000-4000-8000-00000000c001",
                   "ab"};
    s.window_start = "00:00";
    s.window_end = "24:00";
    s.days = "{1,2,3,4,5,6,7}";
    s.enrollments = 10000;
    s.daily_limit = 100000;
    s.variant_weights = {1, 1};
    s.created_at = utc(2026, 11, 23, 10);
    seed(f, s);
    f.settings().batch_size = 500;
    f.run_until(utc(2026, 11, 23, 12));

    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE status = 'sent'") == 10000);
    const auto a = f.count(
        "SELECT count(*) FROM outreach.enrollment_step_variant_assignments a "
        "JOIN outreach.step_experiment_variants v ON v.organisation_id = a.organisation_id "
        "AND v.id = a.variant_id WHERE v.label = 'A'");
    CHECK(f.count("SELECT count(*) FROM outreach.enrollment_step_variant_assignments") == 10000);
    CHECK(a >= 4800);
    CHECK(a <= 5200);
    // The message used its variant's prompt.
    CHECK(
        f.count("SELECT count(*) FROM outreach.messages m JOIN outreach.step_experiment_variants v "
                "ON v.organisation_id = m.organisation_id AND v.id = m.variant_id WHERE "
                "m.prompt_id <> v.prompt_id") == 0);

    const auto before = f.text(
        "SELECT md5(string_agg(enrollment_id::text || variant_id::text, ',' ORDER BY "
        "enrollment_id)) "
        "FROM outreach.enrollment_step_variant_assignments");
    f.sql(
        "UPDATE outreach.step_experiment_variants SET weight = CASE label WHEN 'A' THEN 90 ELSE 10 "
        "END");
    f.sql("INSERT INTO crm.people (organisation_id, id, first_name, last_name) SELECT '" + s.org +
          "', md5('late' || i)::uuid, 'Léa' || i, 'Nom' FROM generate_series(1, 2000) i;"
          "INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email) SELECT '" +
          s.org + "', md5('latepos' || i)::uuid, md5('late' || i)::uuid, md5('" + s.campaign +
          "company')::uuid, 'late' || i || '@ab-prospects.example' FROM generate_series(1, 2000) i;"
          "INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, "
          "position_id, created_at) "
          "SELECT '" +
          s.org + "', md5('lateenr' || i)::uuid, '" + s.campaign +
          "', md5('late' || i)::uuid, md5('latepos' || i)::uuid, " +
          sql_time(utc(2026, 11, 23, 13)) + " FROM generate_series(1, 2000) i;");
    f.run_until(utc(2026, 11, 23, 14));
    // Enrollments are told apart by created_at: cheap to filter on.
    const auto assignments_since = [&](TimePoint created, const char* label) {
        return "FROM outreach.enrollment_step_variant_assignments a "
               "JOIN outreach.step_experiment_variants v ON v.organisation_id = a.organisation_id "
               "AND v.id = a.variant_id "
               "JOIN outreach.campaign_enrollments e ON e.organisation_id = a.organisation_id AND "
               "e.id = a.enrollment_id "
               "WHERE e.created_at = " +
               sql_time(created) + (label ? std::string(" AND v.label = '") + label + "'" : "");
    };
    const auto after = f.text(
        "SELECT md5(string_agg(a.enrollment_id::text || a.variant_id::text, ',' ORDER BY "
        "a.enrollment_id)) " +
        assignments_since(s.created_at, nullptr));
    CHECK(after == before);
    const auto late_a = f.count("SELECT count(*) " + assignments_since(utc(2026, 11, 23, 13), "A"));
    CHECK(late_a >= 1700);  // 90% of 2000 = 1800
    CHECK(late_a <= 1900);

    // Concluded with a winner: every new enrollment gets the winner.
    f.sql("UPDATE outreach.step_experiments SET status = 'completed', winner_variant_id = md5('" +
          s.campaign + "variantB')::uuid");
    f.sql(
        "INSERT INTO crm.people (organisation_id, id, first_name, last_name) SELECT '" + s.org +
        "', md5('won' || i)::uuid, 'Noé' || i, 'Nom' FROM generate_series(1, 50) i;"
        "INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, "
        "created_at) "
        "SELECT '" +
        s.org + "', md5('wonenr' || i)::uuid, '" + s.campaign + "', md5('won' || i)::uuid, " +
        sql_time(utc(2026, 11, 23, 15)) +
        " FROM generate_series(1, 50) i;"
        "UPDATE crm.people SET email = 'won' || substr(id::text, 1, 8) || '@ab-prospects.example' "
        "WHERE id IN (SELECT md5('won' || i)::uuid FROM generate_series(1, 50) i);");
    f.run_until(utc(2026, 11, 23, 16));
    CHECK(f.count("SELECT count(*) " + assignments_since(utc(2026, 11, 23, 15), "B")) == 50);
}

TEST_CASE("concurrent assigners end with one row and agree on it") {
    EngineFixture f("assigners", utc(2026, 11, 23, 10));
    CampaignSpec s{"0c000000-0000-4000-8000-000000000001", "0c000000-0000-4000-8000-00000000c001",
                   "assign"};
    s.enrollments = 200;
    s.variant_weights = {1, 1};
    s.status = "draft";
    seed(f, s);
    const auto url = f.text(
        "SELECT 'postgresql://' || current_user || '@127.0.0.1:' || "
        "current_setting('port') || '/' || current_database()");
    const auto step = f.text("SELECT md5('" + s.campaign + "step1')::uuid");
    const auto experiment = f.text("SELECT md5('" + s.campaign + "experiment')::uuid");
    std::vector<std::string> enrollments;
    {
        pqxx::nontransaction tx(f.connection());
        for (const auto& r : tx.exec("SELECT id FROM outreach.campaign_enrollments"))
            enrollments.push_back(r[0].as<std::string>());
    }
    auto make_choices = [&](const std::string& label) {
        const auto variant = f.text("SELECT md5('" + s.campaign + "variant" + label + "')::uuid");
        std::vector<db::VariantChoice> wanted;
        for (const auto& e : enrollments) wanted.push_back({s.org, e, step, experiment, variant});
        return wanted;
    };
    const auto want_a = make_choices("A");
    const auto want_b = make_choices("B");
    std::vector<db::VariantChoice> got_a, got_b;
    std::thread ta([&] {
        pqxx::connection c(url);
        db::EngineStore store(c, true);
        got_a = store.assign_variants(want_a, 0);
    });
    std::thread tb([&] {
        pqxx::connection c(url);
        db::EngineStore store(c, true);
        got_b = store.assign_variants(want_b, 0);
    });
    ta.join();
    tb.join();
    CHECK(f.count("SELECT count(*) FROM outreach.enrollment_step_variant_assignments") == 200);
    REQUIRE(got_a.size() == 200);
    REQUIRE(got_b.size() == 200);
    std::map<std::string, std::string> stored;
    pqxx::nontransaction tx(f.connection());
    for (const auto& r : tx.exec(
             "SELECT enrollment_id, variant_id FROM outreach.enrollment_step_variant_assignments"))
        stored[r[0].as<std::string>()] = r[1].as<std::string>();
    for (const auto& c : got_a) CHECK(stored[c.enrollment_id] == c.variant_id);
    for (const auto& c : got_b) CHECK(stored[c.enrollment_id] == c.variant_id);
}

TEST_CASE("a reply or an unsubscribe stops the sequence; no later step is sent") {
    EngineFixture f("stops", utc(2026, 11, 23, 8));
    CampaignSpec s{"0d000000-0000-4000-8000-000000000001", "0d000000-0000-4000-8000-00000000c001",
                   "stops"};
    s.delays = {0, 86400, 86400};
    s.conditions = {"always", "no_reply", "always"};
    s.enrollments = 3;
    s.created_at = utc(2026, 11, 23, 8);
    seed(f, s);
    f.run_until(utc(2026, 11, 23, 12));
    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE status = 'sent'") == 3);
    const std::string e1 = f.text("SELECT md5('" + s.campaign + "enrollment1')::uuid");
    const std::string e2 = f.text("SELECT md5('" + s.campaign + "enrollment2')::uuid");
    f.sql(
        "INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, direction, "
        "status, from_email, "
        "to_email, rfc_message_id, received_at) VALUES ('" +
        s.org + "', '" + s.campaign + "', '" + e1 +
        "', 'inbound', 'received', 'p1@stops-prospects.example', 'ventes@stops.example', "
        "'reply-1@example.org', now())");
    f.sql("UPDATE outreach.campaign_enrollments SET status = 'unsubscribed' WHERE id = '" + e2 +
          "'");
    f.run_until(utc(2026, 12, 10));
    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE direction = 'outbound' AND "
                  "enrollment_id = '" +
                  e1 + "'") == 1);
    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE direction = 'outbound' AND "
                  "enrollment_id = '" +
                  e2 + "'") == 1);
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = '" + e1 + "'") ==
          "replied");
    CHECK(f.text("SELECT last_error FROM outreach.tasks WHERE enrollment_id = '" + e2 +
                 "' AND status = 'cancelled'") == "cancelled: enrollment is now unsubscribed");
    // The third went on to the end.
    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE direction = 'outbound' AND status "
                  "= 'sent'") == 5);
}

TEST_CASE(
    "pause holds every send; resume sends within windows, limits and pacing, never as a burst") {
    EngineFixture f("pause", utc(2026, 11, 23, 8));
    f.settings().spacing_min = 30s;
    f.settings().spacing_max = 60s;
    CampaignSpec s{"0e000000-0000-4000-8000-000000000001", "0e000000-0000-4000-8000-00000000c001",
                   "pause"};
    s.enrollments = 40;
    s.daily_limit = 30;
    s.created_at = utc(2026, 11, 23, 8);  // Monday 09:00 in Paris
    seed(f, s);
    f.run_until(utc(2026, 11, 23, 8, 10));
    const auto before = f.count("SELECT count(*) FROM outreach.messages");
    CHECK(before > 0);
    CHECK(before < 40);
    f.sql("UPDATE outreach.campaigns SET status = 'paused'");
    f.run_until(utc(2026, 11, 24, 20));
    CHECK(f.count("SELECT count(*) FROM outreach.messages") == before);
    f.sql("UPDATE outreach.campaigns SET status = 'active'");
    f.run_until(utc(2026, 11, 30));
    const auto rows = sent_rows(f, s.campaign);
    CHECK(rows.size() == 40);
    std::map<date::local_days, int> per_day;
    const auto* paris = scheduler::find_time_zone("Europe/Paris");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        ++per_day[scheduler::local_day(rows[i].sent_at, paris)];
        if (i > 0) CHECK(rows[i].sent_at - rows[i - 1].sent_at >= 30s);
        const auto local = paris->to_local(rows[i].sent_at);
        CHECK(local - date::floor<date::days>(local) >= 9h);
    }
    for (const auto& [day, n] : per_day) CHECK(n <= 30);
}

TEST_CASE(
    "failures: a transient one retries with backoff, a permanent one and a template error fail "
    "only their enrollment") {
    EngineFixture f("failures", utc(2026, 11, 23, 10));
    CampaignSpec s{"0f000000-0000-4000-8000-000000000001", "0f000000-0000-4000-8000-00000000c001",
                   "failures"};
    s.window_start = "00:00";
    s.window_end = "24:00";
    s.days = "{1,2,3,4,5,6,7}";
    s.enrollments = 6;
    s.delays = {0, 3600};
    s.body_template =
        "Bonjour {{person.first_name}}, {{position.title}}";  // titles are missing but for p5
    s.created_at = utc(2026, 11, 23, 10);
    seed(f, s);
    f.sql("UPDATE crm.positions SET title = 'Directrice' WHERE email NOT LIKE 'p5@%'");
    f.adapter().script = [](const adapters::OutboundEmail& email,
                            int attempt) -> std::optional<adapters::SendResult> {
        if (email.to_email.rfind("p1@", 0) == 0 && attempt <= 2)
            return adapters::SendResult::transient("421 4.7.0 try again later");
        if (email.to_email.rfind("p2@", 0) == 0)
            return adapters::SendResult::permanent("550 5.1.1 no such user");
        return std::nullopt;
    };
    f.run_until(utc(2026, 11, 24));

    const auto enrollment = [&](int i) {
        return f.text("SELECT md5('" + s.campaign + "enrollment" + std::to_string(i) + "')::uuid");
    };
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = '" + enrollment(1) +
                 "'") == "completed");
    CHECK(f.count("SELECT attempts FROM outreach.messages WHERE enrollment_id = '" + enrollment(1) +
                  "' AND step_id = md5('" + s.campaign + "step1')::uuid") == 3);
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = '" + enrollment(2) +
                 "'") == "failed");
    CHECK(f.text("SELECT last_error FROM outreach.campaign_enrollments WHERE id = '" +
                 enrollment(2) + "'") == "permanent failure: 550 5.1.1 no such user");
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = '" + enrollment(5) +
                 "'") == "failed");
    CHECK(f.text("SELECT last_error FROM outreach.campaign_enrollments WHERE id = '" +
                 enrollment(5) + "'")
              .find("missing variable 'position.title'") != std::string::npos);
    for (int i : {3, 4, 6})
        CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = '" +
                     enrollment(i) + "'") == "completed");
    // Each email went out exactly once.
    std::map<std::string, int> per_message;
    for (const auto& c : f.adapter().sent()) ++per_message[c.email.message_id];
    for (const auto& [id, n] : per_message) CHECK(n == 1);
    CHECK(per_message.size() == 2 * 4);  // 4 enrollments x 2 steps
}

TEST_CASE(
    "a send whose outcome is unknown is held for an operator, or resent when the policy says so") {
    for (const bool resend : {false, true}) {
        INFO("resend = " << resend);
        EngineFixture f(resend ? "unknown_resend" : "unknown_hold", utc(2026, 11, 23, 10));
        if (resend) f.settings().unknown_outcome = scheduler::UnknownOutcomePolicy::resend;
        CampaignSpec s{"1a000000-0000-4000-8000-000000000001",
                       "1a000000-0000-4000-8000-00000000c001", "unknown"};
        s.window_start = "00:00";
        s.window_end = "24:00";
        s.days = "{1,2,3,4,5,6,7}";
        s.enrollments = 1;
        s.created_at = utc(2026, 11, 23, 10);
        seed(f, s);
        // A daemon died mid-send: its message is 'sending', its task 'running'
        // under a lease that has run out.
        f.sql(
            "INSERT INTO outreach.messages (organisation_id, id, campaign_id, enrollment_id, "
            "step_id, direction, status, "
            "from_email, to_email, subject, body_text, rfc_message_id) SELECT organisation_id, "
            "md5(enrollment_id::text || ':' "
            "|| step_id::text)::uuid, campaign_id, enrollment_id, step_id, 'outbound', 'sending', "
            "'ventes@unknown.example', "
            "'p1@unknown-prospects.example', 'Bonjour Zoé1', 'Corps', 'dead@unknown.example' FROM "
            "outreach.tasks;"
            "UPDATE outreach.tasks SET status = 'running', attempts = 1, locked_by = 'dead:1', "
            "locked_until = " +
            sql_time(utc(2026, 11, 23, 10, 5)) + ";");
        {
            db::EngineStore store(f.connection(), false);
            f.clock().set(utc(2026, 11, 23, 10, 6));
            CHECK(store.rescue_expired_leases(scheduler::to_micros(f.clock().now())) == 1);
        }
        f.run_until(utc(2026, 11, 23, 11));
        if (!resend) {
            CHECK(f.adapter().sent().empty());
            CHECK(f.text("SELECT status FROM outreach.tasks") == "failed");
            CHECK(f.text("SELECT last_error FROM outreach.tasks").rfind("outcome unknown", 0) == 0);
        } else {
            CHECK(f.adapter().sent().size() == 1);
            CHECK(f.text("SELECT status FROM outreach.messages") == "sent");
        }
    }
}

TEST_CASE(
    "claims are fair: a small organisation's due steps go in the first batch despite "
    "another's backlog") {
    const auto monday = utc(2027, 3, 1, 9);
    EngineFixture f("fair", monday);
    CampaignSpec big("0fa10000-0000-4000-8000-000000000001", "0fa10000-0000-4000-8000-0000000000a1",
                     "bigorg");
    big.enrollments = 500;
    big.created_at = monday - 2h;  // its whole backlog is older than the small one's
    seed(f, big);
    CampaignSpec small("0fa20000-0000-4000-8000-000000000001",
                       "0fa20000-0000-4000-8000-0000000000a1", "smallorg");
    small.enrollments = 10;
    small.created_at = monday - 1h;
    seed(f, small);
    pqxx::nontransaction(f.connection()).exec("ANALYZE outreach.tasks");

    db::EngineStore store(f.connection(), true);
    const auto first = store.claim(scheduler::to_micros(monday), 100, "fair-test", 300);
    REQUIRE(first.size() == 100);
    const auto small_in_first = std::count_if(
        first.begin(), first.end(), [&](const auto& c) { return c.organisation_id == small.org; });
    CHECK(small_in_first == 10);
    // Still in run_at order within the batch, and the rest is the big
    // organisation's oldest.
    CHECK(std::is_sorted(first.begin(), first.end(),
                         [](const auto& a, const auto& b) { return a.run_at < b.run_at; }));
    // Alone with due work, an organisation gets the whole batch.
    const auto second = store.claim(scheduler::to_micros(monday), 100, "fair-test", 300);
    CHECK(second.size() == 100);
    CHECK(std::all_of(second.begin(), second.end(),
                      [&](const auto& c) { return c.organisation_id == big.org; }));
    // Nothing is claimed twice.
    std::set<std::string> ids;
    for (const auto& c : first) ids.insert(c.task_id);
    for (const auto& c : second) ids.insert(c.task_id);
    CHECK(ids.size() == 200);
}

TEST_CASE(
    "heartbeats: the janitor takes back tasks of a silent or unregistered instance, never a live "
    "one's, its own, or a slow daemon's later 'sending' write") {
    using namespace std::chrono_literals;
    const auto start = utc(2026, 11, 23, 10);
    EngineFixture f("heartbeat_rescue", start);
    CampaignSpec s{"1b000000-0000-4000-8000-000000000001", "1b000000-0000-4000-8000-00000000c001",
                   "heartbeat"};
    s.window_start = "00:00";
    s.window_end = "24:00";
    s.days = "{1,2,3,4,5,6,7}";
    s.enrollments = 4;
    s.created_at = start;
    seed(f, s);
    // Four running tasks, leased for five more minutes: by a live instance, a
    // silent one, one never registered (claimed 20 s ago) and this daemon.
    const auto at = [](scheduler::TimePoint t) { return sql_time(t); };
    f.sql(
        "INSERT INTO outreach.instances (id, host, pid, version, started_at, heartbeat_at) VALUES "
        "('live:1', 'live', 1, 't', " +
        at(start - 1h) + ", " + at(start - 2s) +
        "), "
        "('silent:2', 'silent', 2, 't', " +
        at(start - 1h) + ", " + at(start - 16s) +
        ");"
        "WITH numbered AS (SELECT organisation_id, id, row_number() OVER (ORDER BY id) AS n "
        "FROM outreach.tasks) "
        "UPDATE outreach.tasks t SET status = 'running', attempts = 1, "
        "locked_by = (ARRAY['live:1', 'silent:2', 'gone:3', 'me:4'])[n], "
        "locked_until = " +
        at(start + 5min) + ", updated_at = " + at(start - 20s) +
        " FROM numbered WHERE t.organisation_id = numbered.organisation_id AND t.id = numbered.id");
    db::EngineStore store(f.connection(), false);
    const auto now = scheduler::to_micros(start);
    // The replay's rescue (leases only) takes nothing back: no lease ended.
    CHECK(store.rescue_expired_leases(now) == 0);
    CHECK(store.rescue_leases(scheduler::rescue_cutoffs(now, 15s, "me:4")) == 2);
    CHECK(f.text("SELECT string_agg(coalesce(locked_by, '-'), ',' ORDER BY locked_by) FROM "
                 "outreach.tasks WHERE status = 'running'") == "live:1,me:4");
    CHECK(f.count("SELECT count(*) FROM outreach.tasks WHERE status = 'pending' AND last_error "
                  "LIKE 'instance silent:2 last beat at %presumed dead%'") == 1);
    CHECK(f.count("SELECT count(*) FROM outreach.tasks WHERE status = 'pending' AND last_error "
                  "LIKE 'instance gone:3 is not registered%'") == 1);

    // The live instance beats: its lease (5 min left of 5) is not rewritten,
    // and one about to end is renewed to a full lease from now.
    const db::InstanceRow live{"live:1", "live", 1, "t", now - 3600000000LL};
    CHECK(store.heartbeat(live, now, 300, 3) == 0);
    f.sql("UPDATE outreach.tasks SET locked_until = " + at(start + 4s) +
          " WHERE locked_by = 'live:1'");
    CHECK(store.heartbeat(live, now, 300, 3) == 1);
    CHECK(f.text("SELECT locked_until = " + at(start + 300s) +
                 " FROM outreach.tasks WHERE locked_by = 'live:1'") == "t");
    CHECK(f.text("SELECT heartbeat_at = " + at(start) +
                 " FROM outreach.instances WHERE id = 'live:1'") == "t");
    // A forgotten instance's beat registers it again, started_at kept.
    store.deregister_instance("live:1");
    CHECK(f.count("SELECT count(*) FROM outreach.instances WHERE id = 'live:1'") == 0);
    store.heartbeat(live, now + 1000000, 300, 3);
    CHECK(f.count("SELECT count(*) FROM outreach.instances WHERE id = 'live:1'") == 1);
    CHECK(store.forget_instances(now - 10000000) == 1);  // silent:2, silent since start - 16 s
    CHECK(f.count("SELECT count(*) FROM outreach.instances") == 1);

    // The silent daemon was only slow: it comes back and writes its chunk
    // 'sending'. Its task is no longer its own, so nothing is written and it
    // sends nothing; the successor's claim then sends once.
    const auto silent_enrollment = f.text(
        "SELECT enrollment_id FROM outreach.tasks WHERE last_error LIKE 'instance silent:2%'");
    const auto campaign = f.text("SELECT campaign_id FROM outreach.tasks LIMIT 1");
    const auto step = f.text("SELECT step_id FROM outreach.tasks WHERE enrollment_id = '" +
                             silent_enrollment + "'");
    const auto org = f.text("SELECT organisation_id FROM outreach.tasks LIMIT 1");
    db::OutboundDraft draft{
        org,
        campaign,
        silent_enrollment,
        step,
        std::nullopt,
        f.text("SELECT prompt_id FROM outreach.workflow_steps WHERE id = '" + step + "'"),
        "ventes@heartbeat.example",
        "p@heartbeat-prospects.example",
        "Sujet",
        "Corps",
        std::nullopt,
        std::nullopt,
        "UTC",
        "2026-11-23",
        std::nullopt};
    {
        db::EngineStore::Transaction tx(store);
        const auto results = tx.write_sending({draft}, "", now, "silent:2");
        REQUIRE(results.size() == 1);
        CHECK_FALSE(results[0].message);
        tx.commit();
    }
    CHECK(f.count("SELECT count(*) FROM outreach.messages") == 0);
    f.run_until(start + 1h);
    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE enrollment_id = '" +
                  silent_enrollment + "' AND status = 'sent'") == 1);
}

// The reply's transaction holds the enrollment's row lock (its trigger's
// UPDATE) while the engine claims and prepares that enrollment's next step:
// the sending write waits for it, sees the enrollment replied and sends
// nothing. Without the FOR SHARE on enrollments in pf_write_sending the
// step went out after the reply was recorded.
TEST_CASE("a reply recorded while its next step is being claimed: the step is not sent") {
    EngineFixture f("reply_race", utc(2026, 11, 23, 8));
    CampaignSpec s{"0d000000-0000-4000-8000-0000000000a1", "0d000000-0000-4000-8000-00000000c0a1",
                   "race"};
    s.delays = {0, 86400};
    s.enrollments = 1;
    s.created_at = utc(2026, 11, 23, 8);
    seed(f, s);
    f.run_until(utc(2026, 11, 23, 12));
    REQUIRE(f.adapter().sent().size() == 1);
    const std::string e1 = f.text("SELECT md5('" + s.campaign + "enrollment1')::uuid");

    // The reply's transaction begins once step 2 is claimed (its task
    // 'running', so the trigger's cancel of pending tasks passes it by) and
    // commits while the engine waits in its sending write.
    auto replier = f.connect_again();
    std::unique_ptr<pqxx::work> reply;
    std::thread committer;
    f.before_generate([&] {
        if (reply) return;
        reply = std::make_unique<pqxx::work>(*replier);
        reply->exec(
            "INSERT INTO outreach.messages (organisation_id, campaign_id, enrollment_id, "
            "direction, status, from_email, to_email, rfc_message_id, received_at) VALUES ('" +
            s.org + "', '" + s.campaign + "', '" + e1 +
            "', 'inbound', 'received', 'p1@race-prospects.example', 'ventes@race.example', "
            "'race-reply@example.org', now())");
        committer = std::thread([&] {
            std::this_thread::sleep_for(1000ms);
            reply->commit();
        });
    });
    f.run_until(utc(2026, 11, 24, 12));
    committer.join();
    REQUIRE(reply);

    CHECK(f.adapter().sent().size() == 1);
    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE direction = 'outbound'") == 1);
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = '" + e1 + "'") ==
          "replied");
    CHECK(f.count("SELECT count(*) FROM outreach.tasks WHERE status IN ('pending', 'running')") == 0);
}
