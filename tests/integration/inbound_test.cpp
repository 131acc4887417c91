// The inbound reader's database side against a real PostgreSQL: leases per
// mailbox, a batch and its cursor in one transaction, each message once per
// mailbox, and what replies, bounces and out-of-office replies do.
#include <doctest/doctest.h>

#include "db/inbound_store.hpp"
#include "integration/engine_fixture.hpp"

using namespace pf;
using namespace pf::test;
using scheduler::TimePoint;

namespace {

constexpr const char* kOrg = "ad000000-0000-4000-8000-000000000001";
constexpr const char* kCampaign = "ad000000-0000-4000-8000-0000000000a1";
constexpr const char* kMailbox = "ad000000-0000-4000-8000-0000000000e1";

TimePoint utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0) {
    return TimePoint{date::sys_days{date::year{y} / m / d} + std::chrono::hours{hh} +
                     std::chrono::minutes{mm}};
}

// One mailbox read over IMAP, a two-step campaign from it (stop_on_company_reply),
// prospects n1..n<count>: n1 and n2 at one company, the others alone.
void seed(EngineFixture& f, int prospects) {
    const std::string org = kOrg, campaign = kCampaign, mailbox = kMailbox;
    f.sql(
        "INSERT INTO iam.organisations (id, name, slug) VALUES ('" + org +
        "', 'In', 'in');"
        "INSERT INTO outreach.mailboxes (organisation_id, id, email, daily_limit, min_gap_seconds, "
        "max_jitter_seconds, imap_url, imap_folders) VALUES ('" +
        org + "', '" + mailbox +
        "', 'sales@in.example', 1000, 0, 0, 'imaps://127.0.0.1:1', '{INBOX,Archive}');"
        "INSERT INTO outreach.prompts (organisation_id, id, name, subject_template, body_template) "
        "VALUES ('" +
        org +
        "', md5('in-p')::uuid, 'p', 'Bonjour', 'Une idée');"
        "INSERT INTO outreach.campaigns (organisation_id, id, name, status, send_window_start, "
        "send_window_end, send_days, from_email, stop_on_company_reply, ooo_resume_delay_days) "
        "VALUES ('" +
        org + "', '" + campaign +
        "', 'In', 'draft', '00:00', '24:00', "
        "'{1,2,3,4,5,6,7}', 'x@in.example', true, 3);"
        "INSERT INTO outreach.campaign_mailboxes (organisation_id, campaign_id, mailbox_id) VALUES "
        "('" +
        org + "', '" + campaign + "', '" + mailbox +
        "');"
        "INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, "
        "delay_seconds, prompt_id) SELECT '" +
        org + "', md5('in-step' || i)::uuid, '" + campaign +
        "', i, CASE WHEN i = 1 THEN 0 ELSE 86400 END, md5('in-p')::uuid FROM generate_series(1, 2) "
        "i;"
        "INSERT INTO crm.companies (organisation_id, id, name) SELECT '" +
        org + "', md5('in-co' || i)::uuid, 'Co ' || i FROM generate_series(1, " +
        std::to_string(prospects) +
        ") i;"
        "INSERT INTO crm.people (organisation_id, id, first_name, last_name) SELECT '" +
        org + "', md5('in-pe' || i)::uuid, 'P', 'N' || i FROM generate_series(1, " +
        std::to_string(prospects) +
        ") i;"
        "INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email) SELECT '" +
        org +
        "', md5('in-po' || i)::uuid, md5('in-pe' || i)::uuid, md5('in-co' || CASE WHEN i = 2 THEN "
        "1 ELSE i END)::uuid, "
        "'n' || i || '@prospect.example' FROM generate_series(1, " +
        std::to_string(prospects) +
        ") i;"
        "INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id, "
        "position_id) "
        "SELECT '" +
        org + "', md5('in-en' || i)::uuid, '" + campaign +
        "', md5('in-pe' || i)::uuid, md5('in-po' || i)::uuid FROM generate_series(1, " +
        std::to_string(prospects) +
        ") i;"
        "UPDATE outreach.campaigns SET status = 'active' WHERE id = '" +
        campaign + "';");
}

std::string enrollment(int n) {
    return "md5('in-en" + std::to_string(n) + "')::uuid";
}

db::InboundMessageRecord message(const std::string& kind, std::int64_t uid, const std::string& id) {
    db::InboundMessageRecord m;
    m.kind = kind;
    m.uid = uid;
    m.rfc_message_id = id;
    m.received_micros = scheduler::to_micros(utc(2026, 12, 2, 10));
    return m;
}

struct Reader {
    explicit Reader(EngineFixture& fixture) : f(fixture) {}
    EngineFixture& f;
    db::InboundStore store{f.connection()};
    db::InboundMailboxRow mailbox{};
    std::int64_t now = scheduler::to_micros(utc(2026, 12, 2, 10));

    std::optional<std::vector<db::InboundRecordResult>> record(
        const std::string& folder, std::int64_t last_uid, std::vector<db::InboundMessageRecord> ms,
        const std::string& instance = "a:1") {
        return store.record_folder_batch(mailbox,
                                         db::FolderBatch{folder, 7, last_uid, std::move(ms)},
                                         instance, now, db::EffectSettings{});
    }
};

Reader leased_reader(EngineFixture& f) {
    Reader r{f};
    const auto leased = r.store.lease_mailboxes("a:1", r.now, 15, 15, 10);
    REQUIRE(leased.size() == 1);
    r.mailbox = leased.front();
    return r;
}

std::string our_id(EngineFixture& f, int n) {
    return f.text(
        "SELECT rfc_message_id FROM outreach.messages WHERE direction = 'outbound' AND "
        "enrollment_id = " +
        enrollment(n));
}

}  // namespace

TEST_CASE("inbound: one daemon leases a mailbox; another takes it only once the first is silent") {
    EngineFixture f("inbound_lease", utc(2026, 12, 2, 9));
    seed(f, 1);
    db::InboundStore store(f.connection());
    const auto now = scheduler::to_micros(utc(2026, 12, 2, 10));
    f.sql(
        "INSERT INTO outreach.instances (id, host, pid, version, started_at, heartbeat_at) VALUES "
        "('a:1', 'a', 1, 't', now(), " +
        sql_time(utc(2026, 12, 2, 10)) + ")");
    const auto a = store.lease_mailboxes("a:1", now, 15, 15, 10);
    REQUIRE(a.size() == 1);
    CHECK(a[0].folders == std::vector<std::string>{"INBOX", "Archive"});
    CHECK(a[0].imap_url == "imaps://127.0.0.1:1");
    CHECK(store.lease_mailboxes("b:2", now + 5'000'000, 15, 15, 10).empty());
    // a beats and renews; b still gets nothing.
    f.sql("UPDATE outreach.instances SET heartbeat_at = " + sql_time(utc(2026, 12, 2, 10)) +
          " + interval '10 seconds'");
    CHECK(store.lease_mailboxes("a:1", now + 10'000'000, 15, 15, 10).size() == 1);
    CHECK(store.lease_mailboxes("b:2", now + 20'000'000, 15, 15, 10).empty());
    // With a 5 s instance timeout a's beat (10 s old) is stale: b takes the
    // mailbox, and a's late batch writes nothing.
    const auto b = store.lease_mailboxes("b:2", now + 20'000'001, 15, 5, 10);
    REQUIRE(b.size() == 1);
    Reader late{f};
    late.mailbox = a[0];
    CHECK_FALSE(late.record("INBOX", 3, {message("unrelated", 3, "x@y")}).has_value());
    CHECK(f.count("SELECT count(*) FROM outreach.mailbox_folder_cursors") == 0);
    CHECK(store.release_mailboxes("b:2") == 1);
    CHECK(f.count("SELECT count(*) FROM outreach.mailbox_inbound WHERE locked_by IS NULL") == 1);
}

TEST_CASE(
    "inbound: a reply ends its enrollment and its colleague's, once per Message-ID, cursor with "
    "it") {
    EngineFixture f("inbound_reply", utc(2026, 12, 2, 9));
    seed(f, 3);
    f.run_until(utc(2026, 12, 2, 9, 30));
    REQUIRE(f.count("SELECT count(*) FROM outreach.messages WHERE status = 'sent' AND mailbox_id "
                    "IS NOT NULL") == 3);
    auto r = leased_reader(f);

    auto reply = message("reply", 4, "reply-1@mail.example");
    reply.refers_to = {our_id(f, 1)};
    reply.from_email = "n1@prospect.example";
    reply.subject = "Re: Bonjour";
    auto noise = message("unrelated", 5, "news@list.example");
    const auto first = r.record("INBOX", 5, {reply, noise});
    REQUIRE(first);
    CHECK((*first)[0].kind == "reply");
    CHECK((*first)[0].effect.enrollment_ended);
    CHECK((*first)[0].effect.colleagues_stopped == 1);
    CHECK((*first)[1].kind == "unrelated");
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = " + enrollment(1)) ==
          "replied");
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = " + enrollment(2)) ==
          "removed");
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = " + enrollment(3)) ==
          "active");
    CHECK(f.count("SELECT count(*) FROM outreach.inbound_events") == 1);
    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE direction = 'inbound'") == 1);
    CHECK(f.text("SELECT uidvalidity || ':' || last_uid FROM outreach.mailbox_folder_cursors "
                 "WHERE folder = 'INBOX'") == "7:5");

    // The same reply in a Gmail label folder: seen before, nothing again.
    const auto again = r.record("Archive", 2, {reply});
    REQUIRE(again);
    CHECK((*again)[0].duplicate);
    CHECK(f.count("SELECT count(*) FROM outreach.inbound_events") == 1);
    CHECK(f.count("SELECT count(*) FROM outreach.messages WHERE direction = 'inbound'") == 1);
    CHECK(f.text("SELECT last_uid FROM outreach.mailbox_folder_cursors WHERE folder = 'Archive'") ==
          "2");
}

TEST_CASE(
    "inbound: a reply without threading headers matches a recent recipient of the mailbox only") {
    EngineFixture f("inbound_recipient", utc(2026, 12, 2, 9));
    seed(f, 3);
    f.run_until(utc(2026, 12, 2, 9, 30));
    auto r = leased_reader(f);
    auto outlook = message("reply", 1, "outlook-1@mail.example");
    outlook.counterpart_email = "n3@prospect.example";
    auto stranger = message("reply", 2, "stranger@mail.example");
    stranger.counterpart_email = "someone@else.example";
    const auto results = r.record("INBOX", 2, {outlook, stranger});
    REQUIRE(results);
    CHECK((*results)[0].kind == "reply");
    CHECK((*results)[1].kind == "unrelated");
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = " + enrollment(3)) ==
          "replied");
    // Forty days later the same address is no longer a recent recipient.
    r.now += std::int64_t{40} * 86400 * 1'000'000;
    auto late = message("reply", 3, "late@mail.example");
    late.counterpart_email = "n1@prospect.example";
    CHECK((*r.record("INBOX", 3, {late}))[0].kind == "unrelated");
}

TEST_CASE("inbound: hard and soft bounces, out-of-office with and without a return date") {
    EngineFixture f("inbound_effects", utc(2026, 12, 2, 9));
    seed(f, 4);
    f.run_until(utc(2026, 12, 2, 9, 30));
    auto r = leased_reader(f);
    auto hard = message("hard_bounce", 1, "dsn-1@mx.example");
    hard.refers_to = {our_id(f, 1)};
    hard.status = "5.1.1";
    auto soft = message("soft_bounce", 2, "dsn-2@mx.example");
    soft.refers_to = {our_id(f, 3)};
    soft.status = "4.2.2";
    auto ooo = message("auto_reply", 3, "ooo-1@mail.example");
    ooo.refers_to = {our_id(f, 4)};
    ooo.return_date = "2027-01-12";
    const auto results = r.record("INBOX", 3, {hard, soft, ooo});
    REQUIRE(results);
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = " + enrollment(1)) ==
          "bounced");
    CHECK(
        f.count("SELECT count(*) FROM tracking.suppressions WHERE email = 'n1@prospect.example'") ==
        1);
    CHECK(f.text("SELECT email_status FROM crm.positions WHERE id = md5('in-po1')::uuid") ==
          "bounced");
    CHECK(f.text("SELECT status FROM outreach.campaign_enrollments WHERE id = " + enrollment(3)) ==
          "active");
    CHECK(f.text("SELECT last_error FROM outreach.messages WHERE enrollment_id = " +
                 enrollment(3)) == "soft bounce 4.2.2");
    // 12 January + 3 days, midnight in Paris.
    CHECK(f.text("SELECT to_char(run_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD HH24:MI') FROM "
                 "outreach.tasks "
                 "WHERE status = 'pending' AND enrollment_id = " +
                 enrollment(4)) == "2027-01-15 00:00");
    REQUIRE((*results)[2].effect.resume_at);
    CHECK(*(*results)[2].effect.resume_at == "2027-01-14T23:00:00Z");
    // One hard bounce in four sends: 1 of at least 50 is 2 %, under 3 %.
    CHECK_FALSE((*results)[0].effect.mailbox_paused);
    auto second = message("hard_bounce", 4, "dsn-3@mx.example");
    second.refers_to = {our_id(f, 2)};
    second.status = "5.1.1";
    const auto paused = r.record("INBOX", 4, {second});
    REQUIRE((*paused)[0].effect.mailbox_paused);
    CHECK(f.text("SELECT status FROM outreach.mailboxes WHERE id = '" + std::string(kMailbox) +
                 "'") == "error");
    CHECK(f.text("SELECT status_reason FROM outreach.mailboxes")
              .rfind("bounce protection: 2 hard bounce(s)", 0) == 0);
    CHECK(f.text("SELECT status FROM outreach.campaigns") == "paused");
}

TEST_CASE("inbound: the bounce rate's verdict") {
    const db::EffectSettings s;                          // 50 sends, 3 %
    CHECK_FALSE(db::judge_bounce_rate(1, 10, s).pause);  // 1 of 50: 2 %
    CHECK(db::judge_bounce_rate(2, 10, s).pause);        // 2 of 50: 4 %
    CHECK(db::judge_bounce_rate(3, 50, s).pause);
    CHECK_FALSE(db::judge_bounce_rate(3, 200, s).pause);  // 1.5 %
    CHECK_FALSE(db::judge_bounce_rate(0, 0, s).pause);
    CHECK(db::judge_bounce_rate(3, 50, s).reason ==
          "3 hard bounce(s) in the last 50 send(s) (6.0 % of 50) reached 3.0 %");
}
