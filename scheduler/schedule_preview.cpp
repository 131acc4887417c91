#include "scheduler/schedule_preview.hpp"

#include <optional>

namespace pf::scheduler {
namespace {

// The holidays on sending weekdays in [from, to).
std::vector<Holiday> holidays_between(date::local_days from, date::local_days to,
                                      const SendWindow& window) {
    std::vector<Holiday> out;
    for (auto day = from; day < to; day += date::days{1}) {
        if (!is_send_weekday(day, window)) continue;
        if (const auto name = window.holidays.holiday_on(day)) out.push_back({day, *name});
    }
    return out;
}

}  // namespace

std::vector<PreviewedStep> preview_schedule(const std::vector<PlannedStep>& steps,
                                            TimePoint enrolled, const SendWindow& window) {
    std::vector<PreviewedStep> out;
    std::optional<TimePoint> previous;  // the step before's send
    for (const auto& step : steps) {
        PreviewedStep p{step.step_order, step.delay, {}, {}};
        // Step 1's task is due when the enrollment is made; later ones a delay
        // after the send before. The window then moves each.
        const auto due = previous ? delay_end(*previous, step.delay, window) : enrolled;
        p.at = next_window_time(due, window);
        const auto counted_from = previous && step.delay.unit == DelayUnit::business_days
                                      ? local_day(*previous, window.zone) + date::days{1}
                                      : local_day(due, window.zone);
        p.skipped = holidays_between(counted_from, local_day(p.at, window.zone), window);
        previous = p.at;
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace pf::scheduler
