// The step pipeline's pure phases, without a database: plan, assign,
// pacing, daily limit, the outcome writer, and the statement catalog.
#include <doctest/doctest.h>

#include <vector>

#include "claimed_step.hpp"
#include "db/statement_catalog.hpp"
#include "scheduler/daily_limit.hpp"
#include "scheduler/engine_settings.hpp"
#include "scheduler/outcome_writer.hpp"
#include "scheduler/sender_pacing.hpp"
#include "scheduler/step_planner.hpp"
#include "scheduler/variant_assigner.hpp"

using namespace pf::scheduler;
using namespace std::chrono_literals;
using pf::test::claimed_send;

namespace {

// Monday 2027-03-01 10:00 UTC (11:00 in Paris).
const TimePoint kMonday10 = from_micros(1803895200LL * 1000000);

class Recording final : public StepObserver {
  public:
    void on_step_event(const StepEvent& e) override { events.push_back(e); }
    std::vector<StepEvent> events;
};

}  // namespace

TEST_CASE("plan: a due step in its window is sent; its windows come from the claim") {
    auto w = claimed_send();
    const auto plan = plan_task(w, UnknownOutcomePolicy::hold, kMonday10);
    CHECK(plan.action == TaskAction::send);
    REQUIRE(w.window.zone != nullptr);
    CHECK(w.window.zone->name() == "Europe/Paris");
    CHECK(w.campaign_zone == w.window.zone);
    CHECK(w.window.weekdays == 0x1F);
}

TEST_CASE("plan: the prospect's zone wins for the window; a bad zone fails the enrollment") {
    auto w = claimed_send();
    w.step.person_timezone = "America/New_York";
    CHECK(plan_task(w, UnknownOutcomePolicy::hold, kMonday10).action == TaskAction::defer);
    CHECK(w.window.zone->name() == "America/New_York");  // 05:00 there: before the window

    auto bad = claimed_send();
    bad.step.person_timezone = "Mars/Olympus";
    const auto plan = plan_task(bad, UnknownOutcomePolicy::hold, kMonday10);
    CHECK(plan.action == TaskAction::fail);
    CHECK(plan.reason.find("bad sending window") == 0);
    CHECK(plan.reason.find("Mars/Olympus") != std::string::npos);
}

TEST_CASE("plan: a suppressed address stops the enrollment as bounced or unsubscribed") {
    auto w = claimed_send();
    w.step.suppressed_reason = "bounced";
    auto plan = plan_task(w, UnknownOutcomePolicy::hold, kMonday10);
    CHECK(plan.action == TaskAction::stop);
    CHECK(plan.stop_status == "bounced");
    CHECK(plan.reason == "address is on the organisation's suppression list (bounced)");
    w.step.suppressed_reason = "unsubscribed";
    CHECK(plan_task(w, UnknownOutcomePolicy::hold, kMonday10).stop_status == "unsubscribed");
    // A paused campaign releases before anything else is looked at.
    w.step.campaign_status = "paused";
    CHECK(plan_task(w, UnknownOutcomePolicy::hold, kMonday10).action == TaskAction::release);
}

TEST_CASE("plan: the address is the position's, else the person's, and must be usable") {
    auto w = claimed_send();
    CHECK_FALSE(address_problem(w));
    CHECK(w.recipient == "jeanne@prospect.example");
    w.step.position_email = "j.martin@company.example";
    CHECK_FALSE(address_problem(w));
    CHECK(w.recipient == "j.martin@company.example");
    w.step.email_status = "bounced";
    CHECK(address_problem(w).value() ==
          "permanent failure: address j.martin@company.example is marked bounced");
    auto none = claimed_send();
    none.step.person_email.clear();
    CHECK(address_problem(none).value() == "permanent failure: the prospect has no email address");
}

TEST_CASE("assign: stored assignment, then a concluded winner, then the weighted pick") {
    auto w = claimed_send();
    CHECK_FALSE(first_use_variant(w.step));  // no experiment
    w.step.experiment_id = "9a7d0e52-5c1b-4f0e-9d6a-2b8f3c4d5e6f";
    w.step.experiment_status = "running";
    w.step.enrollment_id = "6f1e2d3c-0000-4000-8000-000000000001";
    w.step.variants = {{"vA", "A", 1, "pA", "sA", "bA"}, {"vB", "B", 1, "pB", "sB", "bB"}};
    // Pinned in scheduler_logic_test: this pair picks index 1 of two even weights.
    CHECK(first_use_variant(w.step)->variant_id == "vB");
    w.step.experiment_status = "completed";
    w.step.winner_variant_id = "vA";
    CHECK(first_use_variant(w.step)->variant_id == "vA");
    w.step.assigned_variant_id = "vB";
    CHECK_FALSE(first_use_variant(w.step));

    apply_variant(w, std::nullopt);  // the stored one
    CHECK(w.variant_id == "vB");
    w.step.assigned_variant_id.reset();
    w.step.assigned_label.clear();
    w.step.assigned_prompt_id.clear();
    apply_variant(w, std::string("vA"));
    CHECK(w.variant_label == "A");
    CHECK(w.prompt_id == "pA");
    CHECK(w.subject_template == "sA");
    auto plain = claimed_send();
    apply_variant(plain, std::nullopt);
    CHECK_FALSE(plain.variant_id);
    CHECK(plain.prompt_id == "prompt");
}

TEST_CASE("pacing: a free sender goes now; the others queue a slot each behind it") {
    RandomSource random(42);
    pf::db::SenderSlot slot{"org", "sales@acme.example", 0, 0};
    const auto first = take_pacing_slot(slot, kMonday10, 1000ms, 4000ms, random);
    CHECK(first.go_now);
    CHECK(slot.next_send_at == to_micros(kMonday10) + 2434 * 1000);  // pinned gap of seed 42
    const auto second = take_pacing_slot(slot, kMonday10, 1000ms, 4000ms, random);
    const auto third = take_pacing_slot(slot, kMonday10, 1000ms, 4000ms, random);
    CHECK_FALSE(second.go_now);
    CHECK(second.wait_until == from_micros(slot.next_send_at));
    CHECK_FALSE(third.go_now);
    CHECK(third.wait_until == second.wait_until + 4s);  // its own place, not the same one
    CHECK(slot.queued_until == to_micros(third.wait_until + 4s));
}

TEST_CASE("daily limit: the campaign's local day, and the next day's first window") {
    auto w = claimed_send();
    plan_task(w, UnknownOutcomePolicy::hold, kMonday10);
    // 23:30 UTC on Monday is already Tuesday in Paris.
    const auto late = kMonday10 + 13h + 30min;
    CHECK(daily_limit_day(kMonday10, w.campaign_zone) == "2027-03-01");
    CHECK(daily_limit_day(late, w.campaign_zone) == "2027-03-02");
    // Tuesday 09:00 Paris = 08:00 UTC.
    CHECK(after_daily_limit(kMonday10, w) == kMonday10 + 22h);
    CHECK(daily_limit_reason(3, "2027-03-01") == "daily send limit of 3 reached for 2027-03-01");
}

TEST_CASE("outcome writer: a send advances the enrollment and enqueues the next step") {
    EngineCounters counters;
    Recording observer;
    OutcomeWriter out(counters, &observer, kMonday10);
    auto w = claimed_send();
    plan_task(w, UnknownOutcomePolicy::hold, kMonday10);
    w.recipient = "jeanne@prospect.example";
    out.sent(w, "message-1", kMonday10, "relay-42");
    const auto batch = out.take();
    REQUIRE(batch.messages.size() == 1);
    CHECK(batch.messages[0].status == "sent");
    CHECK(batch.messages[0].provider_message_id == "relay-42");
    REQUIRE(batch.tasks.size() == 1);
    CHECK(batch.tasks[0].status == "succeeded");
    REQUIRE(batch.enrollments.size() == 1);
    CHECK(batch.enrollments[0].status == "active");
    REQUIRE(batch.next_tasks.size() == 1);
    CHECK(batch.next_tasks[0].step_id == "step2");
    CHECK(batch.next_tasks[0].run_at == to_micros(kMonday10 + 72h));  // Thursday, in the window
    CHECK(counters.sent == 1);
    CHECK(counters.succeeded == 1);
    REQUIRE(observer.events.size() == 1);
    CHECK(observer.events[0].kind == "send");
    CHECK(observer.events[0].outcome == "sent");
    CHECK(out.take().tasks.empty());  // taken once
}

TEST_CASE("outcome writer: the last step completes; a refused send retries or fails") {
    EngineCounters counters;
    Recording observer;
    OutcomeWriter out(counters, &observer, kMonday10);
    auto last = claimed_send();
    last.step.next_step_id.reset();
    out.sent(last, "m", kMonday10, "");
    auto batch = out.take();
    CHECK(batch.enrollments.at(0).status == "completed");
    CHECK(batch.next_tasks.empty());
    CHECK(observer.events.back().kind == "complete");

    auto w = claimed_send();
    w.cap_day = "2027-03-01";
    out.send_failed(w, "m", kMonday10, FailurePlan{true, kMonday10 + 10min, "try later"});
    out.send_failed(w, "m", kMonday10, FailurePlan{false, {}, "550 no such user"});
    batch = out.take();
    REQUIRE(batch.tasks.size() == 2);
    CHECK(batch.tasks[0].status == "pending");
    CHECK(batch.tasks[0].run_at == to_micros(kMonday10 + 10min));
    CHECK(batch.tasks[0].attempts_delta == 0);  // the failed attempt counts
    CHECK(batch.tasks[1].status == "failed");
    CHECK(batch.enrollments.at(0).status == "failed");
    CHECK(batch.enrollments.at(0).last_error == "550 no such user");
    CHECK(batch.released_caps.size() == 2);  // both slots given back
    CHECK(batch.released_caps[0].local_day == "2027-03-01");
    CHECK(counters.retried == 1);
    CHECK(counters.failed == 1);
    CHECK(counters.send_failed == 2);
}

TEST_CASE("outcome writer: deferrals and releases give the attempt back, with the reason") {
    EngineCounters counters;
    OutcomeWriter out(counters, nullptr, kMonday10);
    const auto w = claimed_send();
    out.deferred(w, kMonday10 + 1h, "pacing sends of sales@acme.example");
    out.released(w, "campaign is paused", "campaign is paused");
    out.held(w, "unknown outcome", "held: unknown outcome");
    out.stopped(w, "unsubscribed", "address is on the organisation's suppression list");
    const auto batch = out.take();
    REQUIRE(batch.tasks.size() == 4);
    CHECK(batch.tasks[0].attempts_delta == -1);
    CHECK(batch.tasks[0].last_error == "deferred: pacing sends of sales@acme.example");
    CHECK(batch.tasks[1].attempts_delta == -1);
    CHECK(batch.tasks[2].status == "failed");
    CHECK(batch.tasks[3].status == "cancelled");
    CHECK(batch.enrollments.at(0).status == "unsubscribed");
    CHECK(counters.deferred == 1);
    CHECK(counters.released == 1);
    CHECK(counters.held == 1);
    CHECK(counters.cancelled == 1);
}

TEST_CASE("statement catalog: families from files, names checked") {
    const auto parsed = pf::db::parse_statement_file(
        "x.sql", "-- name: pf_a\nSELECT 1;\n\n-- name: pf_b\n-- a comment\nSELECT 2\n");
    REQUIRE(parsed.size() == 2);
    CHECK(parsed.at("pf_a") == "SELECT 1;");
    CHECK(parsed.at("pf_b") == "-- a comment\nSELECT 2");
    CHECK_THROWS_WITH_AS(pf::db::parse_statement_file("x.sql", "SELECT 0\n-- name: pf_a\nSELECT 1"),
                         "x.sql: SQL before the first '-- name:' line", std::logic_error);
    CHECK_THROWS_WITH_AS(
        pf::db::parse_statement_file("x.sql", "-- name: pf_a\nSELECT 1\n-- name: pf_a\nSELECT 2"),
        "x.sql: statement pf_a is defined twice", std::logic_error);
    CHECK_THROWS_AS(pf::db::parse_statement_file("x.sql", "-- name: pf_a\n\n"), std::logic_error);

    const auto& all = pf::db::engine_statements();
    for (const char* family :
         {"claim", "variants", "reserve", "pacing", "record", "next_due", "leases"}) {
        bool found = false;
        for (const auto& [name, statement] : all) found |= statement.family == family;
        CHECK_MESSAGE(found, family);
    }
    CHECK(all.at("pf_claim").family == "claim");
    CHECK(all.at("pf_finish_tasks").family == "record");
    CHECK(pf::db::engine_statement("pf_claim").find("FOR UPDATE OF t SKIP LOCKED") !=
          std::string::npos);
    CHECK_THROWS_AS(pf::db::engine_statement("pf_nothing"), std::out_of_range);
}
