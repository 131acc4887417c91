#pragma once
// A step's delay: how long after the previous step's actual send it is due,
// before the sending window moves it (workflow_steps.delay_unit and
// delay_amount; a step without a unit keeps delay_seconds, as before).
//
//   seconds, minutes, hours  elapsed time: 24 hours across a DST change are
//                            23 or 25 hours of wall clock
//   calendar_days            the same local wall-clock time N local days
//                            later: Monday 09:12 + 7 is next Monday 09:12,
//                            summer time or not
//   business_days            the same local time on the Nth sending day
//                            after the send's local day: a day of the
//                            campaign's send_days that is not a holiday of
//                            the recipient's calendar (lemlist counts only
//                            sending days likewise)
//
// Local means the recipient's zone (SendWindow::zone). Pure.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "scheduler/clock.hpp"
#include "scheduler/send_window.hpp"

namespace pf::scheduler {

enum class DelayUnit { seconds, minutes, hours, calendar_days, business_days };

class BadStepDelay : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// "minutes", "hours", "calendar_days", "business_days"; "" is seconds (no unit).
std::optional<DelayUnit> parse_delay_unit(std::string_view text);
std::string_view to_string(DelayUnit unit);

struct StepDelay {
    DelayUnit unit = DelayUnit::seconds;
    std::int64_t amount = 0;
};

// The delay of a step row: delay_unit with delay_amount, or delay_seconds
// when the unit is empty. Throws BadStepDelay naming the bad value.
StepDelay step_delay_of(std::string_view delay_unit, std::int64_t delay_amount,
                        std::int64_t delay_seconds);

// "at once", "90 seconds", "1 hour", "7 calendar days", "3 business days".
std::string describe(const StepDelay& delay);

// The Nth sending day after `day` (day itself when n is 0).
date::local_days add_business_days(date::local_days day, std::int64_t n, const SendWindow& window);

// When a delay after `anchor` ends, before the window moves it.
TimePoint delay_end(TimePoint anchor, const StepDelay& delay, const SendWindow& window);

}  // namespace pf::scheduler
