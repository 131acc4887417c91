// Replay fixtures without a database: times, durations, the document's
// checks, settings, redaction.
#include <date/tz.h>
#include <doctest/doctest.h>

#include "replay/fixture.hpp"

using namespace pf;
using nlohmann::json;

namespace {

std::string refused(const std::string& text) {
    try {
        replay::parse_fixture(text, "inline");
    } catch (const replay::FixtureError& e) {
        return e.what();
    }
    return "accepted";
}

const std::string kHead = R"({"format": "prospectflow-replay-fixture", "version": 1, )";

}  // namespace

TEST_CASE("replay times and durations") {
    CHECK(replay::format_utc(replay::parse_time("2027-03-28T03:30:00+02:00")) ==
          "2027-03-28T01:30:00Z");
    CHECK(replay::format_utc(replay::parse_time("2027-03-28T01:30:00.25Z")) ==
          "2027-03-28T01:30:00.250000Z");
    CHECK(replay::format_local(replay::parse_time("2027-03-28T01:30:00Z"),
                               date::locate_zone("Europe/Paris")) == "2027-03-28T03:30:00+02:00");
    CHECK(replay::format_local(replay::parse_time("2027-03-28T00:30:00Z"),
                               date::locate_zone("Europe/Paris")) == "2027-03-28T01:30:00+01:00");
    for (const char* bad : {"2027-02-30T00:00:00Z", "2027-03-28 01:30:00Z", "2027-03-28T01:30:00",
                            "2027-03-28T25:00:00Z", "2027-03-28T01:30:00+2:00", "yesterday", ""})
        CHECK_THROWS_AS(replay::parse_time(bad), std::invalid_argument);
    CHECK(replay::parse_duration("1d12h") == std::chrono::hours(36));
    CHECK(replay::parse_duration("90m") == std::chrono::minutes(90));
    CHECK(replay::parse_duration("45s") == std::chrono::seconds(45));
    for (const char* bad : {"2w", "12", "", "d", "1d2"})
        CHECK_THROWS_AS(replay::parse_duration(bad), std::invalid_argument);
    // fuzz_replay_fixture: 24 * n and the conversion to microseconds
    // overflowed, and std::stoll threw out_of_range past 19 digits.
    CHECK(replay::parse_duration("36525d") == std::chrono::hours(24 * 36525));
    for (const char* bad : {"36526d", "36524d25h", "99999999999921d", "9223372036854775807s",
                            "99999999999999999999999999s"})
        CHECK_THROWS_AS(replay::parse_duration(bad), std::invalid_argument);
}

TEST_CASE("replay fixtures: the document is checked and the first problem named") {
    CHECK(refused("{").find("inline: not valid JSON") == 0);
    CHECK(refused("[]").find("a fixture is a JSON object") != std::string::npos);
    CHECK(refused(R"({"format": "other", "version": 1, "tables": {}})").find("format must be") !=
          std::string::npos);
    CHECK(refused(R"({"format": "prospectflow-replay-fixture", "tables": {}})")
              .find("version is missing") != std::string::npos);
    CHECK(refused(R"({"format": "prospectflow-replay-fixture", "version": 9, "tables": {}})")
              .find("fixture version 9 is newer") != std::string::npos);
    CHECK(
        refused(kHead + R"("tables": {}, "extra": 1})").find("\"extra\" is not a fixture field") !=
        std::string::npos);
    CHECK(refused(kHead + R"("events": []})").find("tables must be an object") !=
          std::string::npos);
    CHECK(refused(kHead + R"("tables": {"crm.secrets": []}})")
              .find("\"crm.secrets\" is not a table") != std::string::npos);
    CHECK(refused(kHead + R"("tables": {"crm.people": [1]}})")
              .find("tables.crm.people[0] must be an object") != std::string::npos);
    CHECK(refused(kHead +
                  R"("tables": {}, "events": [{"at": "2027-01-01T00:00:00Z", "type": "explode"}]})")
              .find("events[0].type \"explode\"") != std::string::npos);
    CHECK(refused(kHead + R"("tables": {}, "events": [{"type": "pause"}]})")
              .find("events[0].at is missing") != std::string::npos);
    CHECK(
        refused(
            kHead +
            R"("tables": {"iam.organisations": [{"id": "o1"}]}, "events": [{"at": "2027-01-01T00:00:00Z", "type": "reply"}]})")
            .find("needs enrollment_id") != std::string::npos);
    CHECK(
        refused(
            kHead +
            R"("tables": {}, "events": [{"at": "2027-01-01T00:00:00Z", "type": "pause", "campaign_id": "c"}]})")
            .find("organisation_id is needed") != std::string::npos);
    CHECK(
        refused(
            kHead +
            R"("tables": {"iam.organisations": [{"id": "o1"}]}, "events": [{"at": "2027-01-01T00:00:00Z", "type": "adapter_failure", "outcome": "maybe"}]})")
            .find("outcome must be") != std::string::npos);
    CHECK(
        refused(kHead + R"("tables": {}, "replay": {"from": "yesterday"}})").find("replay.from") !=
        std::string::npos);
    CHECK(refused(kHead + R"("tables": {}, "replay": {"until": "soon"}})").find("replay.until") !=
          std::string::npos);
    CHECK(refused(kHead + R"("tables": {}, "replay": {"batch_size": 0}})")
              .find("replay.batch_size must be between 1 and 10000, not 0") != std::string::npos);
    CHECK(refused(kHead + R"("tables": {}, "replay": {"spacing_min_ms": 5, "spacing_max_ms": 1}})")
              .find("spacing_min_ms must not exceed") != std::string::npos);
    CHECK(refused(kHead + R"("tables": {}, "replay": {"speed": 2}})")
              .find("replay.speed is not a setting") != std::string::npos);
}

TEST_CASE("replay fixtures: numbers and durations out of range are refused, not thrown through") {
    // fuzz_replay_fixture: nlohmann's parser throws out_of_range (406), not
    // parse_error, for a literal past DBL_MAX; it escaped parse_fixture.
    CHECK(refused(std::string(400, '5')).find("inline: not valid JSON") == 0);
    CHECK(refused(kHead + R"("tables": {}, "replay": {"until": "99999999999921d"}})")
              .find("replay.until: \"99999999999921d\" is longer than 100 years") !=
          std::string::npos);
    CHECK(refused(kHead + R"("tables": {}, "replay": {"seed": 1)" + std::string(400, '0') + "}}")
              .find("inline: not valid JSON") == 0);
}

TEST_CASE("replay fixtures: settings, events in time order, defaults") {
    const auto f = replay::parse_fixture(kHead + R"("tables": {"iam.organisations": [{"id": "o1"}]},
        "replay": {"from": "2027-01-04T08:00:00Z", "until": "2d", "seed": 42, "spacing_max_ms": 0, "spacing_min_ms": 0},
        "events": [{"at": "2027-01-05T00:00:00Z", "type": "resume", "campaign_id": "c"},
                   {"at": "2027-01-04T12:00:00Z", "type": "pause", "campaign_id": "c"},
                   {"at": "2027-01-04T12:00:00Z", "type": "adapter_failure"}]})",
                                         "inline");
    CHECK(replay::format_utc(*f.from) == "2027-01-04T08:00:00Z");
    CHECK(*f.duration == std::chrono::hours(48));
    CHECK(f.settings.seed == 42);
    CHECK(f.settings.batch_size == 100);
    CHECK(f.settings.retry_base == std::chrono::milliseconds(30000));
    REQUIRE(f.events.size() == 3);
    CHECK(f.events[0].type == "pause");  // same instant: fixture order
    CHECK(f.events[1].type == "adapter_failure");
    CHECK(f.events[1].outcome == "transient");
    CHECK(f.events[1].organisation_id == "o1");
    CHECK(f.events[2].type == "resume");
    const auto rows = replay::table_rows(f);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].columns == std::vector<std::string>{"id"});
    CHECK(json::parse(rows[0].json) == json::parse(R"([{"id": "o1"}])"));
    // The settings written by `dump` read back the same.
    const auto again = replay::parse_fixture(json{{"format", replay::kFixtureFormat},
                                                  {"version", 1},
                                                  {"tables", json::object()},
                                                  {"replay", replay::settings_document(f.settings)}}
                                                 .dump(),
                                             "inline");
    CHECK(again.settings.seed == 42);
    CHECK(again.settings.spacing_max == std::chrono::milliseconds(0));
}

TEST_CASE("replay fixtures: redaction is stable, keyed, and keeps values valid") {
    json d = {
        {"tables",
         {{"crm.people",
           {{{"id", "p1"},
             {"first_name", "Élodie"},
             {"last_name", "Dupont"},
             {"email", "elodie@dupont.example"},
             {"timezone", "Europe/Paris"}}}},
          {"crm.positions", {{{"id", "q1"}, {"email", "Elodie@Dupont.example"}, {"title", "CEO"}}}},
          {"crm.companies",
           {{{"id", "c1"},
             {"name", "Dupont & Fils"},
             {"siren", "732829320"},
             {"domain", "dupont.example"}}}},
          {"outreach.messages",
           {{{"id", "m1"},
             {"direction", "outbound"},
             {"to_email", "elodie@dupont.example"},
             {"subject", "Dupont & Fils et vous, Élodie"},
             {"body_text", "Bonjour Élodie Dupont"}},
            {{"id", "m2"},
             {"direction", "inbound"},
             {"from_email", "elodie@dupont.example"},
             {"body_text", "Non merci, appelez le 06 12 34 56 78"}}}}}},
        {"source", json::object()}};
    auto a = d, b = d, c = d;
    replay::redact(a, "key");
    replay::redact(b, "key");
    replay::redact(c, "other");
    CHECK(a == b);
    CHECK(a != c);
    const auto text = a.dump();
    for (const char* secret :
         {"Élodie", "Dupont", "elodie@", "dupont.example", "732829320", "06 12 34"})
        CHECK_MESSAGE(text.find(secret) == std::string::npos, secret);
    const auto& person = a["tables"]["crm.people"][0];
    // The same address, whatever its case, gets the same pseudonym.
    CHECK(person["email"] == a["tables"]["crm.positions"][0]["email"]);
    CHECK(person["email"] == a["tables"]["outreach.messages"][0]["to_email"]);
    CHECK(person["timezone"] == "Europe/Paris");  // behaviour kept
    CHECK(a["tables"]["crm.positions"][0]["title"] == "CEO");
    // The subject quotes the pseudonyms.
    const auto subject = a["tables"]["outreach.messages"][0]["subject"].get<std::string>();
    CHECK(subject.find(a["tables"]["crm.companies"][0]["name"].get<std::string>()) == 0);
    CHECK(subject.find(person["first_name"].get<std::string>()) != std::string::npos);
    CHECK(a["tables"]["outreach.messages"][1]["body_text"] == "[redacted reply]");
    // The SIREN stays nine digits with a valid Luhn key; the domain a domain.
    const auto siren = a["tables"]["crm.companies"][0]["siren"].get<std::string>();
    REQUIRE(siren.size() == 9);
    int sum = 0;
    for (int i = 0; i < 9; ++i) {
        int digit = siren[static_cast<std::size_t>(i)] - '0';
        if (i % 2 == 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
        sum += digit;
    }
    CHECK(sum % 10 == 0);
    CHECK(a["tables"]["crm.companies"][0]["domain"].get<std::string>().find(".example") !=
          std::string::npos);
    CHECK(a["source"]["redacted"] == true);
}
