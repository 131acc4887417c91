#pragma once
// The SQL behind replay fixtures: dumping the rows of one organisation's (or
// some of its campaigns') queue as JSON, table by table, from one snapshot;
// loading such rows into a scratch database; and the lookups a replay's
// scripted events need. Every dump query is keyed by organisation.

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

namespace pf::db {

// A fixture that cannot be loaded: names the table and what was wrong.
class FixtureError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct TableDump {
    std::string table;  // schema-qualified, like "crm.people"
    std::string json;   // a JSON array of row objects (to_jsonb of each row)
};

struct QueueDump {
    std::string recorded_at;        // the snapshot's time, RFC 3339 UTC
    std::string schema_version;     // the newest applied migration
    std::vector<TableDump> tables;  // in load order
};

// Rows of one table that all carry the same columns.
struct TableRows {
    std::string table;
    std::vector<std::string> columns;
    std::string json;  // a JSON array of objects with exactly those keys
};

struct LatestMessage {
    std::string message_id, rfc_message_id, pixel_token;
};

class FixtureStore {
  public:
    explicit FixtureStore(pqxx::connection& connection) : connection_(connection) {}

    // An organisation's id from its id or slug; FixtureError when none.
    std::string resolve_organisation(const std::string& id_or_slug);

    // The tables a fixture may hold, in the order they load (references first).
    static const std::vector<std::string>& tables();

    // One organisation's queue, or only `campaign_ids`' when given, from one
    // REPEATABLE READ snapshot. Throws FixtureError for an unknown organisation
    // or a campaign that is not the organisation's.
    QueueDump dump(const std::string& organisation_id,
                   const std::vector<std::string>& campaign_ids);

    // The columns of one of tables(), in table order.
    std::vector<std::string> columns_of(const std::string& table);

    // Inserts the rows in one transaction, tables in load order. Rows of
    // outreach.tasks, when given, replace the tasks the enrollment triggers
    // enqueued. Throws FixtureError naming the table on any refusal.
    void load(const std::vector<TableRows>& rows);

    // Fresh statistics on the tables a replay writes (autovacuum's naptime is
    // longer than a whole replay; plans made for the just-loaded, often empty
    // tables would scan them as they grow).
    void analyze_queue();

    // Tasks created from here on get ids in creation order, so tasks due at
    // the same instant are claimed in a defined order (scratch databases only).
    void use_sequential_task_ids();

    // The newest outbound message of an enrollment that was handed over.
    std::optional<LatestMessage> latest_outbound(const std::string& organisation_id,
                                                 const std::string& enrollment_id);

    // When the leases of tasks left 'running' (by a daemon, in a dump) have
    // expired: 1 µs after locked_until, when the lease rescue takes them.
    std::vector<std::int64_t> lease_expiries();

    // An enrollment's status, or "" when there is none.
    std::string enrollment_status(const std::string& organisation_id, const std::string& enrollment_id);

  private:
    pqxx::connection& connection_;
};

}  // namespace pf::db
