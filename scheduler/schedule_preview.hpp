#pragma once
// What `prospectflowd schedule-preview` shows an operator before a campaign
// goes live: when each step of an enrollment made at a given instant would
// go, in one zone and calendar, if every step went when due. The same
// functions as the engine (next_window_time, next_step_time), so the preview
// is what the engine does; it leaves out what depends on other enrollments
// (daily limit, sender pacing) and on the prospect (step conditions). Pure.

#include <optional>
#include <vector>

#include "scheduler/clock.hpp"
#include "scheduler/holiday_calendar.hpp"
#include "scheduler/send_window.hpp"
#include "scheduler/step_delay.hpp"

namespace pf::scheduler {

struct PlannedStep {
    int step_order = 0;
    StepDelay delay;  // after the previous step (step 1's is not waited: it goes when enrolled)
};

struct PreviewedStep {
    int step_order = 0;
    StepDelay delay;
    TimePoint at{};
    // Holidays on sending weekdays this step skipped: not counted by a
    // business-day delay, or passed over by the window after the delay ended.
    std::vector<Holiday> skipped;
};

std::vector<PreviewedStep> preview_schedule(const std::vector<PlannedStep>& steps,
                                            TimePoint enrolled, const SendWindow& window);

}  // namespace pf::scheduler
