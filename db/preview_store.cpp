#include "db/preview_store.hpp"

#include <pqxx/pqxx>

#include "db/pg_array.hpp"
#include "db/row_reader.hpp"

namespace pf::db {
namespace {

// The organisation that holds the campaign: by the organisation given, else
// by the campaign id alone (ids are random UUIDs: more than one match means
// copied rows, and the operator must say which).
std::string organisation_of(pqxx::transaction_base& tx, const std::string& campaign_id,
                            const std::string& organisation) {
    const auto rows = tx.exec_params(
        "SELECT c.organisation_id::text AS organisation_id FROM outreach.campaigns c "
        "JOIN iam.organisations o ON o.id = c.organisation_id "
        "WHERE c.id::text = lower($1) "
        "  AND ($2 = '' OR o.id::text = lower($2) OR o.slug = $2::citext) "
        "ORDER BY 1",
        campaign_id, organisation);
    if (rows.empty()) {
        throw PreviewError("no campaign " + campaign_id +
                           (organisation.empty() ? "" : " in organisation " + organisation));
    }
    if (rows.size() > 1) {
        throw PreviewError("campaign " + campaign_id + " exists in " + std::to_string(rows.size()) +
                           " organisations; say which with --organisation");
    }
    return rows[0][0].as<std::string>();
}

void read_campaign(pqxx::transaction_base& tx, PreviewCampaign& c) {
    const auto rows = tx.exec_params(
        "SELECT c.name, c.status, c.timezone, "
        "(extract(epoch FROM c.send_window_start) / 60)::int AS window_start_minutes, "
        "(extract(epoch FROM c.send_window_end) / 60)::int AS window_end_minutes, "
        "c.send_days::text AS send_days, c.holiday_calendar, c.holiday_calendar_from_country "
        "FROM outreach.campaigns c WHERE c.organisation_id = $1 AND c.id = $2::uuid",
        c.organisation_id, c.id);
    const RowReader in(rows);
    const auto& r = rows.at(0);
    c.name = in.text(r, "name");
    c.status = in.text(r, "status");
    c.timezone = in.text(r, "timezone");
    c.window_start_minutes = in.get<int>(r, "window_start_minutes");
    c.window_end_minutes = in.get<int>(r, "window_end_minutes");
    c.send_days = parse_int_array(in.text(r, "send_days"));
    c.holiday_calendar = in.text(r, "holiday_calendar");
    c.holiday_calendar_from_country = in.get<bool>(r, "holiday_calendar_from_country");
}

void read_steps(pqxx::transaction_base& tx, PreviewCampaign& c) {
    const auto rows = tx.exec_params(
        "SELECT step_order, delay_seconds, coalesce(delay_unit, '') AS delay_unit, "
        "coalesce(delay_amount, 0) AS delay_amount FROM outreach.workflow_steps "
        "WHERE organisation_id = $1 AND campaign_id = $2::uuid ORDER BY step_order",
        c.organisation_id, c.id);
    const RowReader in(rows);
    for (const auto& r : rows)
        c.steps.push_back({in.get<int>(r, "step_order"), in.get<std::int64_t>(r, "delay_seconds"),
                           in.text(r, "delay_unit"), in.get<std::int64_t>(r, "delay_amount")});
}

void read_holidays(pqxx::transaction_base& tx, PreviewCampaign& c) {
    const auto rows = tx.exec_params(
        "SELECT day::text AS day, name FROM outreach.holidays "
        "WHERE organisation_id = $1 AND (campaign_id IS NULL OR campaign_id = $2::uuid) "
        "ORDER BY day, campaign_id NULLS FIRST",
        c.organisation_id, c.id);
    const RowReader in(rows);
    for (const auto& r : rows) c.custom_holidays.push_back({in.text(r, "day"), in.text(r, "name")});
}

void read_groups(pqxx::transaction_base& tx, PreviewCampaign& c) {
    const auto rows = tx.exec_params(
        "SELECT coalesce(p.timezone, '') AS timezone, "
        "coalesce(p.country, co.country, '') AS country, count(*) AS enrolled "
        "FROM outreach.campaign_enrollments e "
        "JOIN crm.people p ON p.organisation_id = e.organisation_id AND p.id = e.person_id "
        "LEFT JOIN crm.positions pos ON pos.organisation_id = e.organisation_id "
        "  AND pos.id = e.position_id "
        "LEFT JOIN crm.companies co ON co.organisation_id = pos.organisation_id "
        "  AND co.id = pos.company_id "
        "WHERE e.organisation_id = $1 AND e.campaign_id = $2::uuid "
        "  AND e.status IN ('active', 'paused') "
        "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
        c.organisation_id, c.id);
    const RowReader in(rows);
    for (const auto& r : rows)
        c.groups.push_back(
            {in.text(r, "timezone"), in.text(r, "country"), in.get<long long>(r, "enrolled")});
}

}  // namespace

PreviewCampaign load_preview_campaign(pqxx::connection& connection, const std::string& campaign_id,
                                      const std::string& organisation) {
    pqxx::read_transaction tx(connection);
    PreviewCampaign c;
    c.organisation_id = organisation_of(tx, campaign_id, organisation);
    c.id = campaign_id;
    read_campaign(tx, c);
    read_steps(tx, c);
    read_holidays(tx, c);
    read_groups(tx, c);
    return c;
}

}  // namespace pf::db
