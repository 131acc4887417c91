#pragma once
// `prospectflowd schedule-preview`: when each step of a new enrollment of a
// campaign would go, per zone and holiday calendar of its prospects; what an
// operator checks before activating a campaign (README, Operations).

#include <string>

#include "db/preview_store.hpp"
#include "scheduler/clock.hpp"

namespace pf::daemon {

struct SchedulePreviewOptions {
    std::string database_url, config_file;
    std::string campaign;
    std::string organisation;  // id or slug; needed only when the campaign id is ambiguous
    std::string from;          // YYYY-MM-DD (midnight in the campaign's zone) or RFC 3339; "" : now
};

int schedule_preview_command(const SchedulePreviewOptions& options);

// The preview as printed, for an enrollment made at `enrolled`. Throws
// std::invalid_argument for a bad zone, calendar, window or step delay.
std::string format_schedule_preview(const db::PreviewCampaign& campaign,
                                    scheduler::TimePoint enrolled);

// --from: a date is the start of that day in `zone`, else an RFC 3339 time.
scheduler::TimePoint preview_start(const std::string& from, const std::string& zone,
                                   scheduler::TimePoint now);

}  // namespace pf::daemon
