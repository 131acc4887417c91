#pragma once
// The campaign's daily send limit: slots per campaign and campaign-local day
// (outreach.campaign_daily_sends), reserved in the send transaction before a
// message is written 'sending' and given back when its send fails. Pure
// helpers; send_reservation asks the database.

#include <string>

#include "scheduler/clock.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

// The day (YYYY-MM-DD) a send at `now` counts against, in the campaign's zone.
std::string daily_limit_day(TimePoint now, const date::time_zone* campaign_zone);

// When a send that found its day full tries again: the recipient's first
// window instant once the campaign's next local day has begun.
TimePoint after_daily_limit(TimePoint now, const StepWork& w);

std::string daily_limit_reason(int limit, const std::string& day);

}  // namespace pf::scheduler
