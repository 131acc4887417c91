// Sender mailboxes, the parts without I/O: effective limits and ramp-up,
// the pool's choice, pacing gaps, secrets (AES-256-GCM), the token
// endpoint's answers, and which SMTP failures are the account's.
#include <date/date.h>
#include <doctest/doctest.h>

#include "adapters/mailbox_secret.hpp"
#include "adapters/mailbox_sender.hpp"
#include "adapters/oauth_token_source.hpp"
#include "adapters/smtp_sender.hpp"
#include "scheduler/mailbox_rotation.hpp"

using namespace pf;
using namespace std::chrono_literals;

namespace {

date::local_days day(int y, unsigned m, unsigned d) {
    return date::local_days(date::year(y) / date::month(m) / date::day(d));
}

db::MailboxRow mailbox(const std::string& email, int limit) {
    db::MailboxRow m;
    m.organisation_id = "org";
    m.id = "id-" + email;
    m.email = email;
    m.status = "active";
    m.timezone = "Europe/Paris";
    m.daily_limit = limit;
    m.min_gap_seconds = 60;
    m.max_jitter_seconds = 120;
    return m;
}

scheduler::MailboxToday today(const db::MailboxRow& row, int limit, int reserved,
                              int due_followups = 0) {
    scheduler::MailboxToday t;
    t.row = std::make_shared<db::MailboxRow>(row);
    t.limit = limit;
    t.reserved = reserved;
    t.due_followups = due_followups;
    return t;
}

const adapters::MailboxKey& test_key() {
    static const auto key = adapters::MailboxKey::parse(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "test");
    return key;
}

}  // namespace

TEST_CASE("mailbox limit: the daily limit, or the ramp while it is lower") {
    auto m = mailbox("a@x.example", 30);
    CHECK(scheduler::effective_daily_limit(m, day(2027, 3, 1)) == 30);
    m.ramp_start_date = "2027-03-01";
    m.ramp_initial = 5;
    m.ramp_step_per_day = 5;
    CHECK(scheduler::effective_daily_limit(m, day(2027, 2, 27)) == 5);  // before the ramp starts
    CHECK(scheduler::effective_daily_limit(m, day(2027, 3, 1)) == 5);
    CHECK(scheduler::effective_daily_limit(m, day(2027, 3, 2)) == 10);
    CHECK(scheduler::effective_daily_limit(m, day(2027, 3, 6)) == 30);
    CHECK(scheduler::effective_daily_limit(m, day(2027, 4, 30)) == 30);  // capped at the limit
    m.ramp_step_per_day = 0;
    CHECK(scheduler::effective_daily_limit(m, day(2027, 4, 30)) == 5);  // a flat warm-up
    m.ramp_start_date = "01/03/2027";
    CHECK_THROWS_AS(scheduler::effective_daily_limit(m, day(2027, 3, 1)), std::invalid_argument);
}

TEST_CASE("mailbox rotation: most room, then weight, then address; never a full or inactive one") {
    auto a = today(mailbox("a@x.example", 10), 10, 7);   // room 3
    auto b = today(mailbox("b@x.example", 20), 20, 15);  // room 5
    auto c = today(mailbox("c@x.example", 30), 30, 25);  // room 5
    std::vector<scheduler::PoolEntry> pool{{&a, 1}, {&b, 1}, {&c, 1}};
    CHECK(scheduler::choose_mailbox(pool) == &b);  // b and c tie on room: b's address first
    pool[2].weight = 2;
    CHECK(scheduler::choose_mailbox(pool) == &c);  // the weight breaks the tie first
    c.taken = 3;
    CHECK(scheduler::choose_mailbox(pool) == &b);
    auto error = std::make_shared<db::MailboxRow>(*b.row);
    error->status = "error";
    b.row = error;
    CHECK(scheduler::choose_mailbox(pool) == &a);  // room 3 beats c's 2
    a.reserved = 10;
    c.taken = 5;
    CHECK(scheduler::choose_mailbox(pool) == nullptr);
    CHECK_FALSE(scheduler::wait_for_followups(pool).has_value());
}

TEST_CASE("mailbox rotation: follow-ups due on a mailbox go before new starts on it") {
    auto a = today(mailbox("a@x.example", 10), 10, 0, 2);  // room, but two follow-ups due
    auto b = today(mailbox("b@x.example", 10), 10, 9);     // room 1, none due
    std::vector<scheduler::PoolEntry> pool{{&a, 1}, {&b, 1}};
    CHECK(scheduler::choose_mailbox(pool) == &b);
    b.reserved = 10;
    CHECK(scheduler::choose_mailbox(pool) == nullptr);
    // a's two follow-ups at its pacing (at most 60 + 120 s each) before a new start.
    CHECK(scheduler::wait_for_followups(pool) == std::optional(std::chrono::milliseconds(360s)));
}

TEST_CASE("mailbox pacing: at least min_gap plus a jitter of one second or more") {
    auto m = mailbox("a@x.example", 10);
    auto gap = scheduler::mailbox_gap(m);
    CHECK(gap.min == 61s);
    CHECK(gap.max == 180s);
    m.min_gap_seconds = 0;
    m.max_jitter_seconds = 0;
    gap = scheduler::mailbox_gap(m);
    CHECK(gap.min == 1s);
    CHECK(gap.max == 1s);
}

TEST_CASE("mailbox secrets: AES-256-GCM round trip; wrong key and tampering fail") {
    const auto stored = adapters::encrypt_mailbox_secret(test_key(), "app-password 42 é");
    CHECK(stored.rfind("pfsec1:", 0) == 0);
    CHECK(stored.find("app-password") == std::string::npos);
    CHECK(adapters::decrypt_mailbox_secret(test_key(), stored) == "app-password 42 é");
    // A fresh nonce each time.
    CHECK(adapters::encrypt_mailbox_secret(test_key(), "app-password 42 é") != stored);

    const auto other =
        adapters::MailboxKey::parse("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=", "base64 key");
    CHECK_THROWS_WITH_AS(adapters::decrypt_mailbox_secret(other, stored),
                         doctest::Contains("wrong mailbox key or tampered value"),
                         adapters::MailboxSecretError);
    auto tampered = stored;
    tampered[12] = tampered[12] == 'A' ? 'B' : 'A';
    CHECK_THROWS_AS(adapters::decrypt_mailbox_secret(test_key(), tampered),
                    adapters::MailboxSecretError);
    CHECK_THROWS_WITH(adapters::decrypt_mailbox_secret(test_key(), "hunter2"),
                      doctest::Contains("not a prospectflow secret"));
    CHECK_THROWS_WITH(adapters::decrypt_mailbox_secret(test_key(), "pfsec1:AAAA"),
                      doctest::Contains("truncated"));
}

TEST_CASE("mailbox key: 64 hex digits or base64 of 32 bytes, else an error naming its source") {
    CHECK_NOTHROW(adapters::MailboxKey::parse(
        " 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1F\n", "file"));
    CHECK_THROWS_WITH(adapters::MailboxKey::parse("short", "PROSPECTFLOW_MAILBOX_KEY"),
                      doctest::Contains("PROSPECTFLOW_MAILBOX_KEY"));
    CHECK_THROWS_AS(adapters::MailboxKey::parse(std::string(64, 'g'), "x"),
                    adapters::MailboxSecretError);
}

TEST_CASE("oauth: a token answer, and refusals that are the mailbox owner's to fix") {
    const auto ok = adapters::parse_token_answer(
        200, R"({"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"})", "https://t");
    CHECK(ok.access_token == "ya29.x");
    CHECK(ok.expires_in == 3599s);
    try {
        adapters::parse_token_answer(
            400,
            R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})",
            "https://t");
        FAIL("no error");
    } catch (const adapters::OAuthError& e) {
        CHECK(e.refused());
        CHECK(std::string(e.what()).find("invalid_grant (Token has been expired or revoked.)") !=
              std::string::npos);
    }
    try {
        adapters::parse_token_answer(503, "<html>busy</html>", "https://t");
        FAIL("no error");
    } catch (const adapters::OAuthError& e) {
        CHECK_FALSE(e.refused());
    }
}

TEST_CASE("smtp: a refused login or an unreachable server is the account's problem") {
    using adapters::SenderProblem;
    CHECK(adapters::smtp_sender_problem(CURLE_LOGIN_DENIED, 535) == SenderProblem::authentication);
    CHECK(adapters::smtp_sender_problem(CURLE_LOGIN_DENIED, 0) == SenderProblem::authentication);
    CHECK(adapters::smtp_sender_problem(CURLE_COULDNT_CONNECT, 0) == SenderProblem::connection);
    CHECK(adapters::smtp_sender_problem(CURLE_SEND_ERROR, 550) == SenderProblem::none);
    // A timeout may have happened after DATA: the email's outcome, not the account's.
    CHECK(adapters::smtp_sender_problem(CURLE_OPERATION_TIMEDOUT, 0) == SenderProblem::none);
}

TEST_CASE("mailbox smtp settings: security, login and TLS from the mailbox row") {
    adapters::MailboxAccount m;
    m.email = "anne@a.example";
    m.smtp_url = "smtp://smtp.a.example:465";
    m.smtp_security = "tls";
    m.secret = "pfsec1:x";
    adapters::MailboxSenderSettings settings;
    auto s = adapters::mailbox_smtp_settings(m, settings, "pw", "");
    CHECK(s.url == "smtps://smtp.a.example:465");
    CHECK(s.username == "anne@a.example");  // no smtp_username: the address
    CHECK(s.password == "pw");
    m.smtp_url = "smtp://smtp.a.example:587";
    m.smtp_security = "starttls";
    m.smtp_username = "anne";
    s = adapters::mailbox_smtp_settings(m, settings, "", "tok");
    CHECK(s.url == "smtp://smtp.a.example:587");
    CHECK(s.starttls);
    CHECK(s.username == "anne");
    CHECK(s.oauth_bearer == "tok");
    m.smtp_security = "none";
    m.secret.clear();
    s = adapters::mailbox_smtp_settings(m, settings, "", "");
    CHECK_FALSE(s.starttls);
    CHECK(s.username.empty());  // no secret: no AUTH
}
