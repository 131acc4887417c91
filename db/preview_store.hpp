#pragma once
// What `prospectflowd schedule-preview` reads: one campaign, its steps and
// days off, and how its enrolled prospects spread over zones and countries.
// Keyed by organisation once the campaign's organisation is known (an
// operator may give only the campaign id: the first lookup finds it).

#include <optional>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/engine_rows.hpp"

namespace pf::db {

class PreviewError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct PreviewStepRow {
    int step_order = 0;
    std::int64_t delay_seconds = 0;
    std::string delay_unit;  // "" : seconds
    std::int64_t delay_amount = 0;
};

// Enrolled prospects (active or paused) of one zone and country.
struct ProspectGroup {
    std::string timezone;  // the person's; "" : the campaign's
    std::string country;   // the person's, else the company's; "" : unknown
    long long enrolled = 0;
};

struct PreviewCampaign {
    std::string organisation_id, id, name, status, timezone;
    int window_start_minutes = 0, window_end_minutes = 0;
    std::vector<int> send_days;
    std::string holiday_calendar;
    bool holiday_calendar_from_country = false;
    std::vector<PreviewStepRow> steps;
    std::vector<HolidayRow> custom_holidays;  // the organisation's and the campaign's
    std::vector<ProspectGroup> groups;
};

// The campaign `campaign_id`, of `organisation` (id or slug) when given.
// Throws PreviewError when there is no such campaign, or when the id alone
// names campaigns of several organisations.
PreviewCampaign load_preview_campaign(pqxx::connection& connection, const std::string& campaign_id,
                                      const std::string& organisation);

}  // namespace pf::db
