#include "db/fixture_store.hpp"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "db/pg_array.hpp"

namespace pf::db {
namespace {

// $1: organisation, $2: campaign ids (empty array: all of them).
#define PF_CAMPAIGNS(col) "(cardinality($2::uuid[]) = 0 OR " col " = ANY ($2::uuid[]))"
#define PF_ENROLLMENTS(col)                                               \
    "SELECT e." col                                                       \
    " FROM outreach.campaign_enrollments e WHERE e.organisation_id = $1 " \
    "AND " PF_CAMPAIGNS("e.campaign_id")
#define PF_STEPS                                                                  \
    "SELECT ws.id FROM outreach.workflow_steps ws WHERE ws.organisation_id = $1 " \
    "AND " PF_CAMPAIGNS("ws.campaign_id")
#define PF_MESSAGES                                                                        \
    "SELECT m.id FROM outreach.messages m WHERE m.organisation_id = $1 AND " PF_CAMPAIGNS( \
        "m.campaign_id")

struct TableQuery {
    const char* table;
    const char* where;     // rows of the dump
    const char* order_by;  // a stable order, so a dump of the same rows is the same text
    const char* secret_column = nullptr;  // never dumped, with or without --redact
};

// Load order: every row's references come before it. The two cycles
// (an experiment's winner, a reply's parent message) are loaded afterwards.
const TableQuery kTables[] = {
    {"iam.organisations", "t.id = $1 AND cardinality($2::uuid[]) >= 0", "t.id"},
    {"crm.companies",
     "t.organisation_id = $1 AND t.id IN (SELECT p.company_id FROM crm.positions p "
     "WHERE p.organisation_id = $1 AND p.id IN (" PF_ENROLLMENTS("position_id") "))",
     "t.id"},
    {"crm.people", "t.organisation_id = $1 AND t.id IN (" PF_ENROLLMENTS("person_id") ")", "t.id"},
    {"crm.positions", "t.organisation_id = $1 AND t.id IN (" PF_ENROLLMENTS("position_id") ")",
     "t.id"},
    {"outreach.prompts",
     "t.organisation_id = $1 AND (t.id IN (SELECT s.prompt_id FROM outreach.workflow_steps s "
     "WHERE s.organisation_id = $1 AND s.id IN (" PF_STEPS ")) "
     "OR t.id IN (SELECT v.prompt_id FROM outreach.step_experiment_variants v "
     "JOIN outreach.step_experiments x ON x.organisation_id = v.organisation_id AND x.id = "
     "v.experiment_id WHERE v.organisation_id = $1 AND x.step_id IN (" PF_STEPS ")) "
     "OR t.id IN (SELECT m.prompt_id FROM outreach.messages m WHERE m.organisation_id = $1 AND "
     "m.id IN (" PF_MESSAGES ")))",
     "t.id"},
    // The dumped campaigns' pools and the mailboxes their enrollments send
    // from; a fixture never carries a mailbox's secret.
    {"outreach.mailboxes",
     "t.organisation_id = $1 AND (t.id IN (SELECT cm.mailbox_id FROM outreach.campaign_mailboxes "
     "cm WHERE cm.organisation_id = $1 AND " PF_CAMPAIGNS("cm.campaign_id") ") OR t.id IN (" PF_ENROLLMENTS("mailbox_id") "))",
     "t.id", "secret"},
    {"outreach.campaigns", "t.organisation_id = $1 AND " PF_CAMPAIGNS("t.id"), "t.id"},
    {"outreach.campaign_mailboxes", "t.organisation_id = $1 AND " PF_CAMPAIGNS("t.campaign_id"),
     "t.campaign_id, t.mailbox_id"},
    // The organisation's days off and those of the chosen campaigns.
    {"outreach.holidays",
     "t.organisation_id = $1 AND (t.campaign_id IS NULL OR " PF_CAMPAIGNS("t.campaign_id") ")",
     "t.day, t.campaign_id NULLS FIRST, t.id"},
    {"outreach.workflow_steps", "t.organisation_id = $1 AND " PF_CAMPAIGNS("t.campaign_id"),
     "t.campaign_id, t.step_order, t.id"},
    {"outreach.step_experiments", "t.organisation_id = $1 AND t.step_id IN (" PF_STEPS ")", "t.id"},
    {"outreach.step_experiment_variants",
     "t.organisation_id = $1 AND t.experiment_id IN (SELECT x.id FROM outreach.step_experiments x "
     "WHERE x.organisation_id = $1 AND x.step_id IN (" PF_STEPS "))",
     "t.experiment_id, t.label, t.id"},
    {"outreach.campaign_enrollments", "t.organisation_id = $1 AND " PF_CAMPAIGNS("t.campaign_id"),
     "t.id"},
    {"outreach.enrollment_step_variant_assignments",
     "t.organisation_id = $1 AND t.enrollment_id IN (" PF_ENROLLMENTS("id") ")", "t.id"},
    {"outreach.messages", "t.organisation_id = $1 AND " PF_CAMPAIGNS("t.campaign_id"),
     "t.direction = 'inbound', t.created_at, t.id"},
    {"outreach.tasks", "t.organisation_id = $1 AND " PF_CAMPAIGNS("t.campaign_id"), "t.id"},
    {"tracking.pixels", "t.organisation_id = $1 AND t.message_id IN (" PF_MESSAGES ")", "t.id"},
    {"tracking.message_open_stats", "t.organisation_id = $1 AND t.message_id IN (" PF_MESSAGES ")",
     "t.message_id"},
    // Suppressions of the addresses these enrollments send to (through any campaign).
    {"tracking.suppressions",
     "t.organisation_id = $1 AND (t.email IN (SELECT p.email FROM crm.people p WHERE "
     "p.organisation_id = $1 AND p.id IN (" PF_ENROLLMENTS(
         "person_id") ")) "
                      "OR t.email IN (SELECT p.email FROM crm.positions p WHERE p.organisation_id "
                      "= $1 AND p.id IN "
                      "(" PF_ENROLLMENTS("position_id") ")))",
     "t.email"},
    {"outreach.campaign_daily_sends", "t.organisation_id = $1 AND " PF_CAMPAIGNS("t.campaign_id"),
     "t.campaign_id, t.local_day"},
    {"outreach.sender_pacing",
     "t.organisation_id = $1 AND (t.from_email IN (SELECT c.from_email FROM outreach.campaigns c "
     "WHERE c.organisation_id = $1 AND " PF_CAMPAIGNS("c.id") ") OR t.from_email IN (SELECT "
     "mb.email FROM outreach.mailboxes mb JOIN outreach.campaign_mailboxes cm ON "
     "cm.organisation_id = mb.organisation_id AND cm.mailbox_id = mb.id WHERE mb.organisation_id "
     "= $1 AND " PF_CAMPAIGNS("cm.campaign_id") "))",
     "t.from_email"},
    {"outreach.mailbox_daily_sends",
     "t.organisation_id = $1 AND t.mailbox_id IN (SELECT cm.mailbox_id FROM "
     "outreach.campaign_mailboxes cm WHERE cm.organisation_id = $1 AND " PF_CAMPAIGNS("cm.campaign_id") ")",
     "t.mailbox_id, t.local_day"},
};

#undef PF_CAMPAIGNS
#undef PF_ENROLLMENTS
#undef PF_STEPS
#undef PF_MESSAGES

// Columns that point into a table loaded later or into their own table:
// written by an UPDATE once every row is in.
const std::map<std::string, std::string> kDeferredColumn = {
    {"outreach.step_experiments", "winner_variant_id"},
    {"outreach.messages", "parent_message_id"},
};

std::size_t table_rank(const std::string& table) {
    const auto& all = FixtureStore::tables();
    const auto it = std::find(all.begin(), all.end(), table);
    if (it == all.end()) throw FixtureError("unknown table '" + table + "'");
    return static_cast<std::size_t>(it - all.begin());
}

std::string quoted_table(pqxx::transaction_base& tx, const std::string& table) {
    const auto dot = table.find('.');
    return tx.quote_name(table.substr(0, dot)) + "." + tx.quote_name(table.substr(dot + 1));
}

}  // namespace

const std::vector<std::string>& FixtureStore::tables() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& t : kTables) v.emplace_back(t.table);
        return v;
    }();
    return names;
}

std::string FixtureStore::resolve_organisation(const std::string& id_or_slug) {
    pqxx::read_transaction tx(connection_);
    const auto rows = tx.exec_params(
        "SELECT id FROM iam.organisations WHERE id::text = lower($1) OR slug = $1::citext",
        id_or_slug);
    if (rows.empty()) throw FixtureError("no organisation with id or slug \"" + id_or_slug + "\"");
    return rows[0][0].as<std::string>();
}

QueueDump FixtureStore::dump(const std::string& organisation_id,
                             const std::vector<std::string>& campaign_ids) {
    // One snapshot for every table, so the rows agree with each other.
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(
        connection_);
    tx.exec("SET LOCAL TIME ZONE 'UTC'");
    const auto campaigns = to_pg_array(campaign_ids);
    try {
        if (tx.exec_params("SELECT 1 FROM iam.organisations WHERE id = $1::uuid", organisation_id)
                .empty())
            throw FixtureError("no organisation " + organisation_id);
        const auto mine = tx.exec_params(
            "SELECT count(*) FROM outreach.campaigns WHERE organisation_id = $1 AND id = ANY "
            "($2::uuid[])",
            organisation_id, campaigns);
        if (mine[0][0].as<std::size_t>() != campaign_ids.size())
            throw FixtureError("not every campaign given is one of organisation " +
                               organisation_id);
    } catch (const pqxx::data_exception& e) {
        throw FixtureError(std::string("not a uuid: ") + e.what());
    }

    QueueDump dump;
    const auto head = tx.exec(R"sql(
SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       (SELECT version FROM public.flyway_schema_history WHERE success AND version IS NOT NULL
        ORDER BY installed_rank DESC LIMIT 1))sql")[0];
    dump.recorded_at = head[0].as<std::string>();
    dump.schema_version = head[1].is_null() ? "" : head[1].as<std::string>();
    for (const auto& t : kTables) {
        const std::string row = t.secret_column
                                    ? std::string("to_jsonb(t) - '") + t.secret_column + "'"
                                    : std::string("to_jsonb(t)");
        const std::string sql = "SELECT coalesce(jsonb_agg(" + row + " ORDER BY " + t.order_by +
                                "), '[]')::text FROM " + t.table + " t WHERE " + t.where;
        dump.tables.push_back(
            {t.table, tx.exec_params(sql, organisation_id, campaigns)[0][0].as<std::string>()});
    }
    return dump;
}

std::vector<std::string> FixtureStore::columns_of(const std::string& table) {
    table_rank(table);
    pqxx::read_transaction tx(connection_);
    const auto dot = table.find('.');
    std::vector<std::string> columns;
    for (const auto& row : tx.exec_params(
             "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND "
             "table_name = $2 ORDER BY ordinal_position",
             table.substr(0, dot), table.substr(dot + 1)))
        columns.push_back(row[0].as<std::string>());
    return columns;
}

void FixtureStore::load(const std::vector<TableRows>& rows) {
    std::vector<const TableRows*> ordered;
    for (const auto& r : rows) ordered.push_back(&r);
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
        return table_rank(a->table) < table_rank(b->table);
    });

    pqxx::work tx(connection_);
    bool tasks_replaced = false;
    std::vector<const TableRows*> deferred;
    for (const auto* r : ordered) {
        const auto name = quoted_table(tx, r->table);
        try {
            if (r->table == "outreach.tasks" && !tasks_replaced) {
                // The fixture's tasks are the queue; the ones the enrollment
                // triggers just enqueued would duplicate them.
                tx.exec("DELETE FROM outreach.tasks");
                tasks_replaced = true;
            }
            std::string columns;
            const auto deferred_it = kDeferredColumn.find(r->table);
            for (const auto& c : r->columns) {
                if (deferred_it != kDeferredColumn.end() && c == deferred_it->second) {
                    deferred.push_back(r);
                    continue;
                }
                if (!columns.empty()) columns += ", ";
                columns += tx.quote_name(c);
            }
            if (columns.empty()) throw FixtureError("rows with no columns");
            tx.exec_params("INSERT INTO " + name + " (" + columns + ") SELECT " + columns +
                               " FROM jsonb_populate_recordset(NULL::" + name + ", $1::jsonb)",
                           r->json);
        } catch (const pqxx::sql_error& e) {
            throw FixtureError("loading " + r->table + ": " + e.what());
        }
    }
    for (const auto* r : deferred) {
        const auto name = quoted_table(tx, r->table);
        const auto column = tx.quote_name(kDeferredColumn.at(r->table));
        try {
            tx.exec_params("UPDATE " + name + " t SET " + column + " = j." + column +
                               " FROM jsonb_populate_recordset(NULL::" + name +
                               ", $1::jsonb) j WHERE t.organisation_id = j.organisation_id AND "
                               "t.id = j.id AND j." +
                               column + " IS NOT NULL",
                           r->json);
        } catch (const pqxx::sql_error& e) {
            throw FixtureError("loading " + r->table + "." + kDeferredColumn.at(r->table) + ": " +
                               e.what());
        }
    }
    tx.commit();
    // Statistics, as a database in service has: without them the planner
    // takes the just-filled tables for empty.
    pqxx::nontransaction analyze(connection_);
    std::set<std::string> loaded;
    for (const auto* r : ordered) loaded.insert(r->table);
    loaded.insert("outreach.tasks");
    for (const auto& table : loaded) analyze.exec("ANALYZE " + quoted_table(analyze, table));
}

void FixtureStore::analyze_queue() {
    pqxx::nontransaction tx(connection_);
    tx.exec(
        "ANALYZE outreach.tasks, outreach.messages, outreach.campaign_enrollments, "
        "outreach.enrollment_step_variant_assignments, tracking.pixels");
}

void FixtureStore::use_sequential_task_ids() {
    pqxx::work tx(connection_);
    tx.exec(R"sql(
CREATE SEQUENCE IF NOT EXISTS public.pf_replay_task_ids;
ALTER TABLE outreach.tasks ALTER COLUMN id SET DEFAULT
    ('00000000-0000-4000-8000-' || lpad(to_hex(nextval('public.pf_replay_task_ids')), 12, '0'))::uuid)sql");
    tx.commit();
}

std::optional<LatestMessage> FixtureStore::latest_outbound(const std::string& organisation_id,
                                                           const std::string& enrollment_id) {
    pqxx::read_transaction tx(connection_);
    const auto rows = tx.exec_params(R"sql(
SELECT m.id, m.rfc_message_id, coalesce(px.token, '')
FROM outreach.messages m
LEFT JOIN tracking.pixels px ON px.organisation_id = m.organisation_id AND px.message_id = m.id
WHERE m.organisation_id = $1 AND m.enrollment_id = $2 AND m.direction = 'outbound'
  AND m.status IN ('sending', 'sent', 'bounced')
ORDER BY m.sent_at DESC NULLS LAST, m.created_at DESC, m.id DESC
LIMIT 1)sql",
                                     organisation_id, enrollment_id);
    if (rows.empty()) return std::nullopt;
    return LatestMessage{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(),
                         rows[0][2].as<std::string>()};
}

std::vector<std::int64_t> FixtureStore::lease_expiries() {
    pqxx::nontransaction tx(connection_);
    std::vector<std::int64_t> out;
    for (const auto& r : tx.exec(
             "SELECT DISTINCT pf_micros(coalesce(locked_until, run_at)) + 1 FROM outreach.tasks "
             "WHERE status = 'running' ORDER BY 1"))
        out.push_back(r[0].as<std::int64_t>());
    return out;
}

std::string FixtureStore::enrollment_status(const std::string& organisation_id,
                                            const std::string& enrollment_id) {
    pqxx::read_transaction tx(connection_);
    const auto rows = tx.exec_params(
        "SELECT status FROM outreach.campaign_enrollments WHERE organisation_id = $1 AND id = $2",
        organisation_id, enrollment_id);
    return rows.empty() ? std::string() : rows[0][0].as<std::string>();
}

}  // namespace pf::db
