// The sequencing calendar in replay: golden transcripts of the four calendar
// fixtures under tests/replay/ (each replayed twice, identical), and what
// each must show in local time.
#include <doctest/doctest.h>

#include "integration/replay_helper.hpp"

using namespace pf::test;
using nlohmann::json;

namespace {

// The local send times of one enrollment (by its id's last two digits), in order.
std::vector<std::string> local_sends(const ReplayRun& run, const std::string& suffix) {
    std::vector<std::string> out;
    for (const auto& e : run.events("send")) {
        const auto enrollment = e.value("enrollment", "");
        if (enrollment.substr(enrollment.size() - 2) == suffix && e.value("outcome", "") == "sent")
            out.push_back(e.value("local", ""));
    }
    return out;
}

}  // namespace

TEST_CASE("replay golden: five business-day steps over the May bridges of 2029 in Paris") {
    const auto run = golden_replayed_twice("may_bridges_business_days");
    // Friday 27 April 10:00; +1 business day: Monday 30 (the bridge is a
    // working day); +1: Wednesday 2 May (1 May is Labour Day); +3: Thursday
    // 3, Friday 4, Monday 7; +2: Wednesday 9 (8 May), Friday 11 (Ascension).
    CHECK(local_sends(run, "01") ==
          std::vector<std::string>{"2029-04-27T10:00:00+02:00", "2029-04-30T10:00:00+02:00",
                                   "2029-05-02T10:00:00+02:00", "2029-05-07T10:00:00+02:00",
                                   "2029-05-11T10:00:00+02:00"});
    // Enrolled on the bridge at 16:30: every step keeps 16:30.
    CHECK(local_sends(run, "02") ==
          std::vector<std::string>{"2029-04-30T16:30:00+02:00", "2029-05-02T16:30:00+02:00",
                                   "2029-05-03T16:30:00+02:00", "2029-05-09T16:30:00+02:00",
                                   "2029-05-14T16:30:00+02:00"});
    // Enrolled on 1 May: held until Wednesday's window, with the holiday named.
    const auto defers = run.events("defer");
    REQUIRE(defers.size() == 1);
    CHECK(defers[0]["reason"] == "holiday: Labour Day (fr)");
    CHECK(defers[0]["next_at"] == "2029-05-02T07:00:00Z");
    CHECK(local_sends(run, "03").size() == 5);
    CHECK(run.events("complete").size() == 3);
}

TEST_CASE("replay golden: the same steps over Easter in Alsace-Moselle; Réunion by country") {
    const auto run = golden_replayed_twice("alsace_easter_business_days");
    // Wednesday 28 March 2029 09:30; Thursday 29; then Good Friday and Easter
    // Monday are holidays in Alsace-Moselle: Tuesday 3 April; +3: Friday 6;
    // +2: Tuesday 10.
    CHECK(local_sends(run, "01") ==
          std::vector<std::string>{"2029-03-28T09:30:00+02:00", "2029-03-29T09:30:00+02:00",
                                   "2029-04-03T09:30:00+02:00", "2029-04-06T09:30:00+02:00",
                                   "2029-04-10T09:30:00+02:00"});
    // A prospect in Réunion (person's country RE) keeps Réunion's calendar:
    // Good Friday is a working day there, Easter Monday is not.
    CHECK(local_sends(run, "02") ==
          std::vector<std::string>{"2029-03-28T11:30:00+04:00", "2029-03-29T11:30:00+04:00",
                                   "2029-03-30T11:30:00+04:00", "2029-04-05T11:30:00+04:00",
                                   "2029-04-09T11:30:00+04:00"});
}

TEST_CASE("replay golden: 7 calendar days keep 09:12 local across both DST changes") {
    const auto run = golden_replayed_twice("calendar_days_dst");
    CHECK(local_sends(run, "01") == std::vector<std::string>{"2027-03-22T09:12:00+01:00",
                                                             "2027-03-29T09:12:00+02:00",
                                                             "2027-04-05T09:12:00+02:00"});
    CHECK(local_sends(run, "02") == std::vector<std::string>{"2027-10-18T09:12:00+02:00",
                                                             "2027-10-25T09:12:00+02:00",
                                                             "2027-11-01T09:12:00+01:00"});
    CHECK(local_sends(run, "03") == std::vector<std::string>{"2027-03-08T09:12:00-05:00",
                                                             "2027-03-15T09:12:00-04:00",
                                                             "2027-03-22T09:12:00-04:00"});
    CHECK(local_sends(run, "04") == std::vector<std::string>{"2027-10-25T09:12:00-04:00",
                                                             "2027-11-01T09:12:00-04:00",
                                                             "2027-11-08T09:12:00-05:00"});
}

TEST_CASE("replay golden: an organisation's and a campaign's own days off") {
    const auto run = golden_replayed_twice("custom_holiday");
    // Monday 7 June 2027 10:00; +2 business days skip Wednesday 9 (the
    // organisation's inventory): Thursday 10; +4 calendar days is Monday 14,
    // the campaign's trade fair: Tuesday 15 at the window's opening; +3 hours.
    CHECK(local_sends(run, "01") ==
          std::vector<std::string>{"2027-06-07T10:00:00+02:00", "2027-06-10T10:00:00+02:00",
                                   "2027-06-15T09:00:00+02:00", "2027-06-15T12:00:00+02:00"});
    // Enrolled on the inventory day: held to Thursday, with the day's name.
    const auto defers = run.events("defer");
    REQUIRE(defers.size() == 1);
    CHECK(defers[0]["reason"] == "holiday: Inventaire annuel (custom)");
    CHECK(local_sends(run, "02") ==
          std::vector<std::string>{"2027-06-10T09:00:00+02:00", "2027-06-15T09:00:00+02:00",
                                   "2027-06-21T09:00:00+02:00", "2027-06-21T12:00:00+02:00"});
}
