// Replays: golden transcripts of the fixtures under tests/replay/, each
// replayed twice (the transcript must not change), what each scenario must
// show, a dump of a database the engine ran on replayed against the live
// run's own future, redaction, and fixtures refused with a clear reason.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "db/fixture_store.hpp"
#include "integration/engine_fixture.hpp"
#include "integration/replay_helper.hpp"

using namespace pf;
using namespace pf::test;
using nlohmann::json;

namespace {

ReplayRun golden(const std::string& name) {
    return golden_replayed_twice(name);
}

std::string tail(const json& e, const char* key) {
    const auto v = e.value(key, "");
    return v.substr(v.size() - 2);
}

std::vector<json> sends_of(const ReplayRun& run, const std::string& enrollment_suffix) {
    std::vector<json> out;
    for (auto& e : run.events("send"))
        if (tail(e, "enrollment") == enrollment_suffix && e.value("outcome", "") == "sent")
            out.push_back(e);
    return out;
}

}  // namespace

TEST_CASE("replay golden: three steps over three weeks, weekends, a DST change, three zones") {
    const auto run = golden("three_step_dst");
    CHECK(run.events("send").size() == 9);
    CHECK(run.events("complete").size() == 3);
    // Paris: Friday 18:30 is outside the window; step 1 goes on Monday 09:00 CET.
    const auto paris = sends_of(run, "01");
    REQUIRE(paris.size() == 3);
    CHECK(paris[0]["local"] == "2027-03-15T09:00:00+01:00");
    // Step 2 five days later falls on Saturday: Monday 22nd, 09:00 CET.
    CHECK(paris[1]["local"] == "2027-03-22T09:00:00+01:00");
    // Step 3, seven days (168 h) later, is after Europe's change to summer time.
    CHECK(paris[2]["at"] == "2027-03-29T08:00:00Z");
    CHECK(paris[2]["local"] == "2027-03-29T10:00:00+02:00");
    // New York (its own DST began on 14 March) is inside its window on Friday.
    const auto new_york = sends_of(run, "02");
    REQUIRE(new_york.size() == 3);
    CHECK(new_york[0]["local"] == "2027-03-12T12:30:00-05:00");
    CHECK(new_york[1]["local"] == "2027-03-17T13:30:00-04:00");
    // Tokyo has no DST: always 09:00 local, on Mondays.
    for (const auto& e : sends_of(run, "03"))
        CHECK(e["local"].get<std::string>().substr(10) == "T09:00:00+09:00");
    // Follow-ups thread on step 1.
    CHECK(paris[1]["subject"] == "Re: Dupont & Fils et la prospection B2B");
}

TEST_CASE("replay golden: an A/B experiment, then a concluded one with its winner") {
    const auto run = golden("ab_experiment");
    std::map<std::string, int> step1, step2;
    for (const auto& e : run.events("send")) {
        if (e["step"] == 1) step1[e["variant"]]++;
        if (e["step"] == 2) step2[e["variant"]]++;
        // The subject is the variant's own prompt.
        if (e["step"] == 1 && e["variant"] == "B")
            CHECK(e["subject"].get<std::string>().rfind("Une question pour ", 0) == 0);
    }
    CHECK(step1["A"] > 0);
    CHECK(step1["B"] > 0);
    CHECK(step1["A"] + step1["B"] == 8);
    CHECK(step2 == std::map<std::string, int>{{"B", 8}});
    // Sender pacing (1-4 s, seeded) spaces the sends of one sender.
    CHECK(run.events("defer").size() == 14);
}

TEST_CASE("replay golden: a reply after step 1 stops that sequence only") {
    const auto run = golden("reply_stops");
    const auto replies = run.events("reply");
    REQUIRE(replies.size() == 1);
    CHECK(replies[0]["outcome"] == "recorded; enrollment replied");
    CHECK(sends_of(run, "01").size() == 1);
    CHECK(sends_of(run, "02").size() == 3);
}

TEST_CASE("replay: scripted events that match nothing say so and change nothing") {
    auto document = replay::read_fixture_file(fixture_path("reply_stops")).document;
    document["events"] = {{{"at", "2027-05-03T06:00:00Z"},
                           {"type", "reply"},
                           {"enrollment_id", "80000000-0000-4000-8000-000000000001"}},
                          {{"at", "2027-05-04T10:00:00Z"},
                           {"type", "bounce"},
                           {"enrollment_id", "80000000-0000-4000-8000-000000000099"}},
                          {{"at", "2027-05-04T11:00:00Z"},
                           {"type", "pause"},
                           {"campaign_id", "60000000-0000-4000-8000-000000000099"}},
                          {{"at", "2027-05-04T12:00:00Z"},
                           {"type", "adapter_failure"},
                           {"recipient", "ELODIE.DUPONT@dupont-fils.example"}}};
    document["replay"]["from"] = "2027-05-03T06:00:00Z";
    document["replay"]["until"] = "15d";
    const auto run = replay_fixture_json(document.dump());
    CHECK(run.events("reply").at(0)["outcome"] ==
          "ignored: no email was sent to this enrollment yet");
    CHECK(run.events("bounce").at(0)["outcome"] == "ignored: no such enrollment");
    CHECK(run.events("pause").at(0)["outcome"] == "no such campaign");
    // The scripted failure matches the address whatever its case: step 2 to
    // Élodie fails once and is retried.
    std::vector<std::string> outcomes;
    for (const auto& e : sends_of(run, "01")) outcomes.push_back(e["subject"]);
    CHECK(outcomes.size() == 3);
    int retries = 0;
    for (const auto& e : run.events("send")) retries += e["outcome"] == "retry";
    CHECK(retries == 1);
}

TEST_CASE("replay golden: a pause holds step 2 until the resume, then the window decides") {
    const auto run = golden("pause_resume");
    for (const auto& e : run.events("send")) {
        const auto at = e["at"].get<std::string>();
        CHECK_MESSAGE((at < "2027-05-04T12:00:00Z" || at >= "2027-05-12T07:00:00Z"),
                      "sent while paused or outside the window: " << e.dump());
    }
    CHECK(run.events("pause").at(0)["outcome"] == "campaign paused");
    CHECK(run.events("resume").at(0)["outcome"] == "campaign active");
    CHECK(run.events("send").size() == 6);
}

TEST_CASE("replay golden: a daily limit of 3 spreads 8 emails over Thursday, Friday and Monday") {
    const auto run = golden("daily_cap");
    std::map<std::string, int> per_day;
    for (const auto& e : run.events("send")) per_day[e["local"].get<std::string>().substr(0, 10)]++;
    CHECK(per_day ==
          std::map<std::string, int>{{"2027-05-06", 3}, {"2027-05-07", 3}, {"2027-05-10", 2}});
}

TEST_CASE("replay golden: transient failures retry with backoff; a permanent one fails") {
    const auto run = golden("transient_failure");
    std::vector<std::string> outcomes;
    for (const auto& e : run.events("send"))
        if (tail(e, "enrollment") == "01") outcomes.push_back(e["outcome"]);
    CHECK(outcomes == std::vector<std::string>{"retry", "retry", "sent"});
    const auto sends = run.events("send");
    const auto failed = std::count_if(sends.begin(), sends.end(),
                                      [](const json& e) { return e["outcome"] == "failed"; });
    CHECK(failed == 1);
    // The retry happens at the announced time.
    std::string announced;
    for (const auto& e : sends) {
        if (tail(e, "enrollment") != "01") continue;
        if (!announced.empty()) CHECK(e["at"] == announced);
        announced = e.value("next_at", "");
    }
}

TEST_CASE("replay golden: opened / not-opened conditions skip steps; unsubscribe and bounce stop") {
    const auto run = golden("conditions_and_stops");
    CHECK(run.events("open").at(0)["outcome"] == "recorded");
    CHECK(run.events("unsubscribe").at(0)["outcome"] == "recorded; enrollment unsubscribed");
    CHECK(run.events("bounce").at(0)["outcome"] == "recorded; enrollment bounced");
    std::map<std::string, std::vector<int>> sent_steps, skipped_steps;
    for (const auto& e : run.events("send")) sent_steps[tail(e, "enrollment")].push_back(e["step"]);
    for (const auto& e : run.events("skip"))
        skipped_steps[tail(e, "enrollment")].push_back(e["step"]);
    // Opened step 1: step 2 (not_opened) skipped, step 3 (opened) sent.
    CHECK(sent_steps["01"] == std::vector<int>{1, 3});
    CHECK(skipped_steps["01"] == std::vector<int>{2});
    // Unsubscribed and bounced: nothing after step 1.
    CHECK(sent_steps["02"] == std::vector<int>{1});
    CHECK(sent_steps["03"] == std::vector<int>{1});
    // Never opened: step 2 sent, step 3 skipped.
    CHECK(sent_steps["04"] == std::vector<int>{1, 2});
    CHECK(skipped_steps["04"] == std::vector<int>{3});
}

TEST_CASE("replay: a burst for one sender is paced once, across batches of one instant") {
    // Eight first steps due at once, claimed three at a time: each waiting
    // send gets a slot of its own at the end of the sender's queue and is
    // sent when it comes due, never deferred twice.
    auto document = replay::read_fixture_file(fixture_path("ab_experiment")).document;
    document["replay"]["batch_size"] = 3;
    document["replay"]["until"] = "1d";
    const auto run = replay_fixture_json(document.dump());
    const auto defers = run.events("defer");
    CHECK(defers.size() == 7);
    std::set<std::string> deferred;
    for (const auto& e : defers) CHECK(deferred.insert(e["enrollment"].get<std::string>()).second);
    std::vector<std::string> times;
    for (const auto& e : run.events("send")) times.push_back(e["at"]);
    REQUIRE(times.size() == 8);
    for (std::size_t i = 1; i < times.size(); ++i)
        CHECK_MESSAGE(replay::parse_time(times[i]) - replay::parse_time(times[i - 1]) >=
                          std::chrono::seconds(1),
                      times[i - 1] << " then " << times[i]);
}

TEST_CASE("replay: a dump of a database the engine ran on replays the live run's future") {
    for (const std::string name : {"three_step_dst", "ab_experiment"}) {
        CAPTURE(name);
        const auto fixture = replay::read_fixture_file(fixture_path(name));
        const auto start = *fixture.from;
        const auto middle = start + std::chrono::hours(24 * 3 + 5);
        const auto end = start + std::chrono::hours(24 * 21);

        // The live run: the engine on its own clock, random task ids, no pacing.
        EngineFixture live("replay_live", start);
        db::FixtureStore(live.connection()).load(replay::table_rows(fixture));
        live.run_until(middle);
        const auto sent_before = live.adapter().sent().size();
        const auto organisation =
            fixture.document["tables"]["iam.organisations"][0]["id"].get<std::string>();
        auto document = replay::fixture_document(
            db::FixtureStore(live.connection()).dump(organisation, {}), organisation, {});
        document["recorded_at"] = replay::format_utc(middle);
        document["replay"] = {{"spacing_min_ms", 0}, {"spacing_max_ms", 0}};
        live.run_until(end);

        std::multiset<std::string> live_ahead, replayed;
        const auto all = live.adapter().sent();
        for (auto i = sent_before; i < all.size(); ++i)
            live_ahead.insert(replay::format_utc(all[i].at) + " " + all[i].email.to_email + " " +
                              all[i].email.subject);
        replay::ReplayOptions options;
        options.until = end;
        const auto run = replay_fixture_json(document.dump(), options);
        for (const auto& e : run.events("send"))
            if (e["outcome"] == "sent")
                replayed.insert(e["at"].get<std::string>() + " " +
                                e["recipient"].get<std::string>() + " " +
                                e["subject"].get<std::string>());
        CHECK(sent_before > 0);
        CHECK(!live_ahead.empty());
        CHECK(replayed == live_ahead);
        // Nothing already sent is sent again.
        for (const auto& e : run.events("send"))
            CHECK(e["at"].get<std::string>() >= replay::format_utc(middle));
    }
}

TEST_CASE("replay: tasks a daemon was running when dumped come back when their lease expires") {
    const auto fixture = replay::read_fixture_file(fixture_path("daily_cap"));
    const auto start = *fixture.from;
    EngineFixture live("replay_lease", start);
    db::FixtureStore(live.connection()).load(replay::table_rows(fixture));
    // Another daemon holds two of the due tasks, its lease ten minutes long.
    live.sql(
        "UPDATE outreach.tasks SET status = 'running', attempts = 1, locked_by = 'elsewhere', "
        "locked_until = " +
        sql_time(start + std::chrono::minutes(10)) +
        " WHERE id IN (SELECT id FROM outreach.tasks ORDER BY enrollment_id LIMIT 2)");
    const auto organisation =
        fixture.document["tables"]["iam.organisations"][0]["id"].get<std::string>();
    auto document = replay::fixture_document(
        db::FixtureStore(live.connection()).dump(organisation, {}), organisation, {});
    document["recorded_at"] = replay::format_utc(start);
    document["replay"] = {{"spacing_min_ms", 0}, {"spacing_max_ms", 0}};
    const auto run = replay_fixture_json(document.dump());
    const auto rescues = run.events("lease-expired");
    REQUIRE(rescues.size() == 1);
    CHECK(rescues[0]["at"] == "2027-05-06T07:10:00.000001Z");
    CHECK(rescues[0]["outcome"] == "2 task(s) left running by a daemon back to pending");
    // The first sends of the day went to the others; the two held ones go
    // after the rescue, and all eight are sent in the end.
    const auto sends = run.events("send");
    CHECK(sends.size() == 8);
    for (const auto& e : sends)
        if (tail(e, "enrollment") == "01" || tail(e, "enrollment") == "02")
            CHECK(e["at"].get<std::string>() > "2027-05-06T07:10:00Z");
}

TEST_CASE("replay: --redact on a real dump keeps behaviour and drops personal data") {
    const auto fixture = replay::read_fixture_file(fixture_path("three_step_dst"));
    EngineFixture live("replay_redact", *fixture.from);
    db::FixtureStore(live.connection()).load(replay::table_rows(fixture));
    live.run_until(*fixture.from + std::chrono::hours(24 * 4));
    const auto organisation =
        fixture.document["tables"]["iam.organisations"][0]["id"].get<std::string>();
    const auto dump = db::FixtureStore(live.connection()).dump(organisation, {});

    // Stability and keying are unit-tested (replay_fixture_test); here: a
    // real dump loses its personal data and keeps its behaviour.
    auto plain = replay::fixture_document(dump, organisation, {});
    auto once = plain;
    replay::redact(once, "k1");
    const auto text = once.dump();
    for (const char* secret : {"Élodie", "Dupont", "elodie.dupont", "dupont-fils", "Carter",
                               "john.carter", "Tanaka", "aiko@", "732829320", "Claire Martin"})
        CHECK_MESSAGE(text.find(secret) == std::string::npos,
                      "still in the redacted fixture: " << secret);
    CHECK(once["source"]["redacted"] == true);

    // Same behaviour: the same sends at the same times, to the pseudonyms.
    plain["replay"] = once["replay"] = {{"spacing_min_ms", 0}, {"spacing_max_ms", 0}};
    const auto a = replay_fixture_json(plain.dump()).events("send");
    const auto b = replay_fixture_json(once.dump()).events("send");
    REQUIRE(a.size() == b.size());
    CHECK(!a.empty());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i]["at"] == b[i]["at"]);
        CHECK(a[i]["enrollment"] == b[i]["enrollment"]);
        CHECK(a[i]["recipient"] != b[i]["recipient"]);
    }
}

TEST_CASE("replay: rows the schema refuses are named with their table") {
    const auto refused = [](const std::string& text) -> std::string {
        try {
            replay_fixture_json(text);
        } catch (const replay::FixtureError& e) {
            return e.what();
        }
        return "accepted";
    };
    const std::string head =
        R"({"format": "prospectflow-replay-fixture", "version": 1, "replay": {"from": "2027-01-01T00:00:00Z"}, )";
    CHECK(
        refused(
            head +
            R"("tables": {"crm.people": [{"organisation_id": "10000000-0000-4000-8000-000000000001", "shoe_size": 42}]}})")
            .find("\"shoe_size\" is not a column of crm.people") != std::string::npos);
    CHECK(
        refused(
            head +
            R"("tables": {"iam.organisations": [{"id": "10000000-0000-4000-8000-000000000001", "name": "x", "slug": "Not A Slug"}]}})")
            .find("loading iam.organisations") != std::string::npos);
    CHECK(
        refused(
            head +
            R"("tables": {"crm.people": [{"organisation_id": "10000000-0000-4000-8000-000000000001", "first_name": "A", "last_name": "B"}]}})")
            .find("loading crm.people") != std::string::npos);
}

namespace {

// Sent emails per (mailbox, local day) of a transcript.
std::map<std::pair<std::string, std::string>, int> sends_per_mailbox_day(const ReplayRun& run) {
    std::map<std::pair<std::string, std::string>, int> per_day;
    for (const auto& e : run.events("send"))
        if (e.value("outcome", "") == "sent")
            per_day[{e.value("mailbox", ""), e["local"].get<std::string>().substr(0, 10)}]++;
    return per_day;
}

}  // namespace

TEST_CASE("replay golden: a new mailbox ramps up from 5 a day by 5 to its limit of 25") {
    const auto run = golden("mailbox_ramp_up");
    const auto per_day = sends_per_mailbox_day(run);
    const std::string m = "neuve@envoi.example";
    CHECK(per_day.at({m, "2027-06-07"}) == 5);
    CHECK(per_day.at({m, "2027-06-08"}) == 10);
    CHECK(per_day.at({m, "2027-06-09"}) == 15);
    CHECK(per_day.at({m, "2027-06-10"}) == 20);
    CHECK(per_day.at({m, "2027-06-11"}) == 25);
    CHECK(per_day.at({m, "2027-06-14"}) == 25);  // the ramp is past the limit
    CHECK(per_day.at({m, "2027-06-15"}) == 20);  // the last of the 120
    CHECK(run.events("complete").size() == 120);
}

TEST_CASE("replay golden: a mailbox whose login is refused waits; its pool sends the rest") {
    const auto run = golden("mailbox_auth_failure");
    CHECK(run.events("fail").empty());
    std::map<std::string, std::set<std::string>> mailboxes_of;
    int refused = 0;
    for (const auto& e : run.events("send")) {
        if (e.value("outcome", "") == "mailbox-authentication") ++refused;
        if (e.value("outcome", "") == "sent")
            mailboxes_of[e["enrollment"]].insert(e.value("mailbox", ""));
        // bruno sends nothing between its refused login and the resume.
        if (e.value("mailbox", "") == "bruno@envoi.example" && e.value("outcome", "") == "sent")
            CHECK_MESSAGE((e["at"] < "2027-06-07T07:03:00Z" || e["at"] >= "2027-06-09T08:00:00Z"),
                          e.dump());
    }
    CHECK(refused == 1);
    CHECK(run.events("complete").size() == 18);
    for (const auto& [enrollment, set] : mailboxes_of) CHECK_MESSAGE(set.size() == 1, enrollment);
}

TEST_CASE("replay golden: a mailbox shared by two campaigns keeps its one daily limit") {
    const auto run = golden("mailbox_shared");
    std::set<std::string> campaigns_of_shared;
    for (const auto& e : run.events("send"))
        if (e.value("mailbox", "") == "commune@envoi.example") campaigns_of_shared.insert(e["campaign"]);
    CHECK(campaigns_of_shared.size() == 2);
    for (const auto& [key, count] : sends_per_mailbox_day(run))
        CHECK_MESSAGE(count <= (key.first == "commune@envoi.example" ? 6 : 4),
                      key.first << " " << key.second << ": " << count);
    CHECK(run.events("complete").size() == 30);
}
