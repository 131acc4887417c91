#include "db/claim_rows.hpp"

#include <nlohmann/json.hpp>

#include "db/pg_array.hpp"
#include "db/row_reader.hpp"

namespace pf::db {
namespace {

void read_task(const RowReader& in, const pqxx::row& r, ClaimedStep& c) {
    c.organisation_id = in.text(r, "organisation_id");
    c.task_id = in.text(r, "task_id");
    c.campaign_id = in.text(r, "campaign_id");
    c.enrollment_id = in.text(r, "enrollment_id");
    c.step_id = in.text(r, "step_id");
    c.run_at = in.get<Micros>(r, "run_at");
    c.attempts = in.get<int>(r, "attempts");
    c.max_attempts = in.get<int>(r, "max_attempts");
    c.enrollment_status = in.text(r, "enrollment_status");
    c.current_step_order = in.get<int>(r, "current_step_order");
}

void read_campaign(const RowReader& in, const pqxx::row& r, ClaimedStep& c) {
    c.campaign_status = in.text(r, "campaign_status");
    c.campaign_name = in.text(r, "campaign_name");
    c.campaign_timezone = in.text(r, "campaign_timezone");
    c.window_start_minutes = in.get<int>(r, "window_start_minutes");
    c.window_end_minutes = in.get<int>(r, "window_end_minutes");
    c.send_days = parse_int_array(in.text(r, "send_days"));
    c.daily_send_limit = in.get<int>(r, "daily_send_limit");
    c.from_email = in.text(r, "from_email");
    c.from_name = in.text(r, "from_name");
    c.reply_to = in.text(r, "reply_to");
    c.track_opens = in.get<bool>(r, "track_opens");
}

void read_step(const RowReader& in, const pqxx::row& r, ClaimedStep& c) {
    c.step_exists = in.get<bool>(r, "step_exists");
    c.step_order = in.get<int>(r, "step_order");
    c.condition = in.text(r, "condition");
    c.thread_with_previous = in.get<bool>(r, "thread_with_previous");
    c.step_prompt_id = in.text(r, "step_prompt_id");
    c.step_subject_template = in.text(r, "step_subject_template");
    c.step_body_template = in.text(r, "step_body_template");
    c.next_step_id = in.nullable(r, "next_step_id");
    c.next_step_delay_seconds = in.get<int>(r, "next_step_delay_seconds");
}

void read_prospect(const RowReader& in, const pqxx::row& r, ClaimedStep& c) {
    c.first_name = in.text(r, "first_name");
    c.last_name = in.text(r, "last_name");
    c.person_email = in.text(r, "person_email");
    c.person_timezone = in.text(r, "person_timezone");
    c.position_title = in.text(r, "position_title");
    c.position_email = in.text(r, "position_email");
    c.email_status = in.text(r, "email_status");
    c.company_name = in.text(r, "company_name");
    c.company_siren = in.text(r, "company_siren");
    c.company_naf_code = in.text(r, "company_naf_code");
    c.company_domain = in.text(r, "company_domain");
}

std::vector<VariantRow> parse_variants(const std::string& json) {
    std::vector<VariantRow> variants;
    for (const auto& v : nlohmann::json::parse(json)) {
        variants.push_back(
            VariantRow{v.at("id").get<std::string>(), v.at("label").get<std::string>(),
                       v.at("weight").get<int>(), v.at("prompt_id").get<std::string>(),
                       v.at("subject").get<std::string>(), v.at("body").get<std::string>()});
    }
    return variants;
}

void read_experiment(const RowReader& in, const pqxx::row& r, ClaimedStep& c) {
    c.assigned_variant_id = in.nullable(r, "assigned_variant_id");
    c.assigned_label = in.text(r, "assigned_label");
    c.assigned_prompt_id = in.text(r, "assigned_prompt_id");
    c.assigned_subject_template = in.text(r, "assigned_subject_template");
    c.assigned_body_template = in.text(r, "assigned_body_template");
    c.experiment_id = in.nullable(r, "experiment_id");
    c.experiment_status = in.text(r, "experiment_status");
    c.winner_variant_id = in.nullable(r, "winner_variant_id");
    if (const auto variants = in.nullable(r, "variants")) c.variants = parse_variants(*variants);
}

void read_history(const RowReader& in, const pqxx::row& r, ClaimedStep& c) {
    c.message_id = in.nullable(r, "message_id");
    c.message_status = in.text(r, "message_status");
    c.message_has_text = in.get<bool>(r, "message_has_text");
    c.opened = in.get<bool>(r, "opened");
    c.thread_root_message_id = in.nullable(r, "thread_root_message_id");
    c.thread_root_subject = in.text(r, "thread_root_subject");
    c.replied = in.get<bool>(r, "replied");
    c.suppressed_reason = in.text(r, "suppressed_reason");
}

std::vector<HolidayRow> parse_holidays(const std::string& json) {
    std::vector<HolidayRow> holidays;
    for (const auto& h : nlohmann::json::parse(json))
        holidays.push_back({h.at("day").get<std::string>(), h.at("name").get<std::string>()});
    return holidays;
}

void read_calendar(const RowReader& in, const pqxx::row& r, ClaimedStep& c) {
    c.next_step_delay_unit = in.text(r, "next_step_delay_unit");
    c.next_step_delay_amount = in.get<std::int64_t>(r, "next_step_delay_amount");
    c.holiday_calendar = in.text(r, "holiday_calendar");
    c.holiday_calendar_from_country = in.get<bool>(r, "holiday_calendar_from_country");
    c.person_country = in.text(r, "person_country");
    c.company_country = in.text(r, "company_country");
    if (const auto days = in.nullable(r, "custom_holidays"))
        c.custom_holidays = parse_holidays(*days);
    if (const auto sent = in.nullable(r, "message_sent_at")) c.message_sent_at = std::stoll(*sent);
}

void read_mailbox(const RowReader& in, const pqxx::row& r, ClaimedStep& c) {
    c.campaign_has_pool = in.get<bool>(r, "campaign_has_pool");
    c.enrollment_mailbox_id = in.nullable(r, "enrollment_mailbox_id");
    c.contacted = in.get<bool>(r, "contacted");
    if (const auto cap = in.nullable(r, "max_new_per_day")) c.max_new_per_day = std::stoi(*cap);
}

}  // namespace

std::vector<ClaimedStep> read_claimed_steps(const pqxx::result& rows) {
    const RowReader in(rows);
    std::vector<ClaimedStep> claimed;
    claimed.reserve(rows.size());
    for (const auto& r : rows) {
        ClaimedStep c;
        read_task(in, r, c);
        read_campaign(in, r, c);
        read_step(in, r, c);
        read_prospect(in, r, c);
        read_experiment(in, r, c);
        read_history(in, r, c);
        read_calendar(in, r, c);
        read_mailbox(in, r, c);
        claimed.push_back(std::move(c));
    }
    return claimed;
}

}  // namespace pf::db
