#include "scheduler/daily_limit.hpp"

namespace pf::scheduler {

std::string daily_limit_day(TimePoint now, const date::time_zone* campaign_zone) {
    return date::format("%F", local_day(now, campaign_zone));
}

TimePoint after_daily_limit(TimePoint now, const StepWork& w) {
    return next_window_time(start_of_next_local_day(now, w.campaign_zone), w.window);
}

std::string daily_limit_reason(int limit, const std::string& day) {
    return "daily send limit of " + std::to_string(limit) + " reached for " + day;
}

}  // namespace pf::scheduler
