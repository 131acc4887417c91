// The sequencing calendar through the step pipeline's pure phases: the plan
// reads the claim's calendar, country, days off and delay unit; the outcome
// writer anchors the next delay on the actual send.
#include <doctest/doctest.h>

#include "claimed_step.hpp"
#include "scheduler/engine_settings.hpp"
#include "scheduler/outcome_writer.hpp"
#include "scheduler/step_planner.hpp"

using namespace pf::scheduler;
using namespace std::chrono_literals;

namespace {

// Thursday 6 May 2027 (Ascension) 10:00 UTC, 12:00 in Paris.
const TimePoint kAscension = TimePoint{date::sys_days{date::year{2027} / 5 / 6} + 10h};

// Step 2 of claimed_send's campaign, due, with a step 3 two business days later.
StepWork claimed(const std::string& calendar) {
    auto w = pf::test::claimed_send();
    auto& s = w.step;
    s.step_id = "step2";
    s.step_order = 2;
    s.next_step_id = "step3";
    s.next_step_delay_unit = "business_days";
    s.next_step_delay_amount = 2;
    s.holiday_calendar = calendar;
    return w;
}

}  // namespace

TEST_CASE("plan: no send on a holiday of the campaign's calendar; the defer names it") {
    auto w = claimed("fr");
    const auto plan = plan_task(w, UnknownOutcomePolicy::hold, kAscension);
    CHECK(plan.action == TaskAction::defer);
    CHECK(plan.reason == "holiday: Ascension Day (fr)");
    CHECK(plan.run_at == TimePoint{date::sys_days{date::year{2027} / 5 / 7} + 7h});  // Fri 09:00
    CHECK(w.next_delay.unit == DelayUnit::business_days);
    CHECK(w.next_delay.amount == 2);

    auto none = claimed("none");
    CHECK(plan_task(none, UnknownOutcomePolicy::hold, kAscension).action == TaskAction::send);
}

TEST_CASE("plan: the person's country, else the company's, picks the calendar when asked") {
    auto w = claimed("none");
    w.step.holiday_calendar_from_country = true;
    w.step.company_country = "FR";
    CHECK(plan_task(w, UnknownOutcomePolicy::hold, kAscension).action == TaskAction::defer);
    w.step.person_country = "DE";  // the person's country wins: no calendar for it
    CHECK(plan_task(w, UnknownOutcomePolicy::hold, kAscension).action == TaskAction::send);
}

TEST_CASE("plan: custom days off hold a step; bad calendars and units fail it by name") {
    auto w = claimed("none");
    w.step.custom_holidays = {{"2027-05-06", "Séminaire"}};
    CHECK(plan_task(w, UnknownOutcomePolicy::hold, kAscension).reason ==
          "holiday: Séminaire (custom)");

    auto bad_calendar = claimed("fr-bzh");
    const auto failed = plan_task(bad_calendar, UnknownOutcomePolicy::hold, kAscension);
    CHECK(failed.action == TaskAction::fail);
    CHECK(failed.reason.find("unknown holiday calendar 'fr-bzh'") != std::string::npos);

    auto bad_unit = claimed("fr");
    bad_unit.step.next_step_delay_unit = "fortnights";
    const auto refused = plan_task(bad_unit, UnknownOutcomePolicy::hold, kAscension);
    CHECK(refused.action == TaskAction::fail);
    CHECK(refused.reason ==
          "bad delay of step 2's next step: unknown delay_unit 'fortnights' (expected minutes, "
          "hours, calendar_days or business_days)");
}

TEST_CASE("outcome writer: a retry that finds the email sent anchors the delay on that send") {
    EngineCounters counters;
    OutcomeWriter out(counters, nullptr, kAscension + 72h);  // the retry runs on Sunday
    auto w = claimed("fr");
    plan_task(w, UnknownOutcomePolicy::hold, kAscension + 72h);
    // Sent on Wednesday 5 May 11:30 Paris: 2 business days (Ascension does
    // not count) is Monday 10 May 11:30, not Tuesday 11 from Sunday's retry.
    const auto sent_at = TimePoint{date::sys_days{date::year{2027} / 5 / 5} + 9h + 30min};
    w.step.message_sent_at = to_micros(sent_at);
    out.already_sent(w, "message already sent");
    const auto batch = out.take();
    REQUIRE(batch.next_tasks.size() == 1);
    CHECK(batch.next_tasks[0].run_at ==
          to_micros(TimePoint{date::sys_days{date::year{2027} / 5 / 10} + 9h + 30min}));
}

TEST_CASE("outcome writer: a next step no window can take fails that enrollment, not the batch") {
    EngineCounters counters;
    OutcomeWriter out(counters, nullptr, kAscension);
    auto w = claimed("none");
    w.step.next_step_delay_unit = "calendar_days";  // business days would count past the block
    w.step.next_step_delay_amount = 1;
    plan_task(w, UnknownOutcomePolicy::hold, kAscension);
    for (int i = 1; i <= 420; ++i)
        w.window.holidays.custom.push_back(
            {date::local_days{date::year{2027} / 5 / 6} + date::days{i}, "Fermeture"});
    out.sent(w, "message-1", kAscension, "");
    const auto batch = out.take();
    CHECK(batch.next_tasks.empty());
    REQUIRE(batch.enrollments.size() == 1);
    CHECK(batch.enrollments[0].status == "failed");
    CHECK(batch.enrollments[0].step_order == 2);
    CHECK(batch.enrollments[0].last_error.value_or("").find("cannot schedule the step after "
                                                            "step 2: no sending day within 400") ==
          0);
    CHECK(counters.failed == 1);
}
