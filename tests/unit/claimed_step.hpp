#pragma once
// A claimed step task as the claim returns it, for the pipeline's unit tests:
// step 1 of an active Paris campaign (weekdays 09:00-18:00), due, with a
// step 2 three days later.

#include "scheduler/step_work.hpp"

namespace pf::test {

inline scheduler::StepWork claimed_send() {
    scheduler::StepWork w;
    auto& s = w.step;
    s.organisation_id = "org";
    s.task_id = "task";
    s.campaign_id = "campaign";
    s.enrollment_id = "enrollment";
    s.step_id = "step1";
    s.enrollment_status = "active";
    s.campaign_status = "active";
    s.campaign_timezone = "Europe/Paris";
    s.window_start_minutes = 9 * 60;
    s.window_end_minutes = 18 * 60;
    s.send_days = {1, 2, 3, 4, 5};
    s.daily_send_limit = 50;
    s.from_email = "sales@acme.example";
    s.step_exists = true;
    s.step_order = 1;
    s.condition = "always";
    s.step_prompt_id = "prompt";
    s.next_step_id = "step2";
    s.next_step_delay_seconds = 3 * 86400;
    s.person_email = "jeanne@prospect.example";
    s.attempts = 1;
    s.max_attempts = 5;
    return w;
}

}  // namespace pf::test
