#include "db/control_store.hpp"

#include <pqxx/pqxx>

namespace pf::db {

bool ControlStore::organisation_exists(const std::string& organisation_id) {
    pqxx::read_transaction tx(connection_);
    return !tx.exec_params("SELECT 1 FROM iam.organisations WHERE id = $1", organisation_id)
                .empty();
}

std::vector<CampaignSummary> ControlStore::campaigns(const std::string& organisation_id) {
    pqxx::read_transaction tx(connection_);
    const auto rows = tx.exec_params(R"sql(
SELECT c.id, c.name, c.status,
       coalesce(e.active, 0), coalesce(e.completed, 0), coalesce(e.stopped, 0),
       coalesce(e.failed, 0), coalesce(e.paused, 0),
       coalesce(t.due, 0), coalesce(t.scheduled, 0), coalesce(t.running, 0), coalesce(t.failed, 0),
       coalesce(m.sent, 0)
FROM outreach.campaigns c
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE status = 'active') AS active,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status IN ('replied', 'bounced', 'unsubscribed', 'removed')) AS stopped,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'paused') AS paused
    FROM outreach.campaign_enrollments
    WHERE organisation_id = c.organisation_id AND campaign_id = c.id) e ON true
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE status = 'pending' AND run_at <= now()) AS due,
           count(*) FILTER (WHERE status = 'pending' AND run_at > now()) AS scheduled,
           count(*) FILTER (WHERE status = 'running') AS running,
           count(*) FILTER (WHERE status = 'failed') AS failed
    FROM outreach.tasks
    WHERE organisation_id = c.organisation_id AND campaign_id = c.id
      AND status IN ('pending', 'running', 'failed')) t ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS sent FROM outreach.messages
    WHERE organisation_id = c.organisation_id AND campaign_id = c.id
      AND direction = 'outbound' AND status = 'sent') m ON true
WHERE c.organisation_id = $1
ORDER BY c.created_at, c.id)sql",
                                     organisation_id);
    std::vector<CampaignSummary> out;
    for (const auto& r : rows) {
        CampaignSummary s;
        s.id = r[0].as<std::string>();
        s.name = r[1].as<std::string>();
        s.status = r[2].as<std::string>();
        s.enrollments_active = r[3].as<long long>();
        s.enrollments_completed = r[4].as<long long>();
        s.enrollments_stopped = r[5].as<long long>();
        s.enrollments_failed = r[6].as<long long>();
        s.enrollments_paused = r[7].as<long long>();
        s.tasks_due = r[8].as<long long>();
        s.tasks_scheduled = r[9].as<long long>();
        s.tasks_running = r[10].as<long long>();
        s.tasks_failed = r[11].as<long long>();
        s.messages_sent = r[12].as<long long>();
        out.push_back(std::move(s));
    }
    return out;
}

CampaignChange ControlStore::change_status(const std::string& organisation_id,
                                           const std::string& campaign_id, const std::string& from,
                                           const std::string& to) {
    pqxx::work tx(connection_);
    // The row lock orders this against the engine's FOR SHARE in the
    // statement that writes messages 'sending' (see EngineStore).
    const auto current = tx.exec_params(
        "SELECT status FROM outreach.campaigns WHERE organisation_id = $1 AND id = $2 FOR UPDATE",
        organisation_id, campaign_id);
    if (current.empty()) return {ChangeOutcome::not_found, ""};
    const auto status = current[0][0].as<std::string>();
    if (status == to) return {ChangeOutcome::unchanged, status};
    if (status != from) return {ChangeOutcome::conflict, status};
    tx.exec_params(
        "UPDATE outreach.campaigns SET status = $3 WHERE organisation_id = $1 AND id = $2",
        organisation_id, campaign_id, to);
    tx.commit();
    return {ChangeOutcome::changed, to};
}

CampaignChange ControlStore::pause(const std::string& organisation_id,
                                   const std::string& campaign_id) {
    return change_status(organisation_id, campaign_id, "active", "paused");
}

CampaignChange ControlStore::resume(const std::string& organisation_id,
                                    const std::string& campaign_id) {
    return change_status(organisation_id, campaign_id, "paused", "active");
}

long long ControlStore::in_flight(const std::string& organisation_id,
                                  const std::string& campaign_id) {
    pqxx::read_transaction tx(connection_);
    return tx
        .exec_params(R"sql(
SELECT count(*) FROM outreach.tasks
WHERE organisation_id = $1 AND campaign_id = $2 AND status = 'running' AND locked_until > now())sql",
                     organisation_id, campaign_id)[0][0]
        .as<long long>();
}

TaskRetry ControlStore::retry_task(const std::string& organisation_id, const std::string& task_id) {
    pqxx::work tx(connection_);
    const auto rows = tx.exec_params(R"sql(
SELECT t.status, t.campaign_id, t.enrollment_id, t.step_id, e.status, c.status
FROM outreach.tasks t
JOIN outreach.campaign_enrollments e ON e.organisation_id = t.organisation_id AND e.id = t.enrollment_id
JOIN outreach.campaigns c ON c.organisation_id = t.organisation_id AND c.id = t.campaign_id
WHERE t.organisation_id = $1 AND t.id = $2
FOR UPDATE OF t, e)sql",
                                     organisation_id, task_id);
    if (rows.empty()) return {ChangeOutcome::not_found, "", "no such task"};
    const auto task_status = rows[0][0].as<std::string>();
    const auto campaign_id = rows[0][1].as<std::string>();
    const auto enrollment_id = rows[0][2].as<std::string>();
    const auto step_id = rows[0][3].is_null() ? std::string() : rows[0][3].as<std::string>();
    const auto enrollment_status = rows[0][4].as<std::string>();
    const auto campaign_status = rows[0][5].as<std::string>();
    if (task_status != "failed") {
        return {ChangeOutcome::conflict, task_id,
                "task is " + task_status + "; only a failed task can be retried"};
    }
    if (enrollment_status != "active" && enrollment_status != "failed") {
        return {ChangeOutcome::conflict, task_id,
                "enrollment is " + enrollment_status + "; there is nothing to retry"};
    }
    std::string detail;
    // A send whose outcome was unknown (held for an operator): the operator
    // has decided it did not go out, so the engine may send it again.
    if (!step_id.empty()) {
        const auto revived = tx.exec_params(R"sql(
UPDATE outreach.messages SET status = 'failed',
       last_error = 'an operator retried the task: the earlier attempt is taken as not sent'
WHERE organisation_id = $1 AND enrollment_id = $2 AND step_id = $3 AND direction = 'outbound'
  AND status IN ('pending', 'sending'))sql",
                                            organisation_id, enrollment_id, step_id);
        if (revived.affected_rows() > 0) detail = "the unknown send will be made again; ";
    }
    if (enrollment_status == "failed") {
        // Reactivating the enrollment enqueues its next step (trigger), as
        // when the app reactivates one; the failed task stays as history.
        tx.exec_params(R"sql(
UPDATE outreach.campaign_enrollments SET status = 'active', last_error = NULL, finished_at = NULL
WHERE organisation_id = $1 AND id = $2)sql",
                       organisation_id, enrollment_id);
        const auto next = tx.exec_params(R"sql(
SELECT id FROM outreach.tasks
WHERE organisation_id = $1 AND campaign_id = $2 AND enrollment_id = $3 AND status = 'pending'
ORDER BY created_at DESC LIMIT 1)sql",
                                         organisation_id, campaign_id, enrollment_id);
        tx.commit();
        if (next.empty()) {
            return {ChangeOutcome::changed, "",
                    detail + "enrollment reactivated; the campaign is " + campaign_status +
                        ", so its next step is enqueued when the campaign is active"};
        }
        return {ChangeOutcome::changed, next[0][0].as<std::string>(),
                detail + "enrollment reactivated; its next step is due now"};
    }
    const auto open = tx.exec_params(R"sql(
SELECT id FROM outreach.tasks
WHERE organisation_id = $1 AND campaign_id = $2 AND enrollment_id = $3
  AND kind = 'run_step' AND status IN ('pending', 'running'))sql",
                                     organisation_id, campaign_id, enrollment_id);
    if (!open.empty()) {
        return {ChangeOutcome::conflict, open[0][0].as<std::string>(),
                "the enrollment already has an open task " + open[0][0].as<std::string>()};
    }
    tx.exec_params(R"sql(
UPDATE outreach.tasks
SET status = 'pending', run_at = now(), attempts = 0, finished_at = NULL, locked_by = NULL,
    locked_until = NULL, last_error = 'retried by an operator at ' || now()
WHERE organisation_id = $1 AND id = $2)sql",
                   organisation_id, task_id);
    // Due now: wake idle daemons (tasks have no wake-up trigger on UPDATE).
    tx.exec("SELECT pg_notify('prospectflow_tasks', '')");
    tx.commit();
    return {ChangeOutcome::changed, task_id, detail + "task is due now"};
}

QueueStats ControlStore::queue_stats() {
    pqxx::read_transaction tx(connection_);
    // Each count on a partial index (tasks_org_due_idx, tasks_lease_idx).
    const auto r = tx.exec(R"sql(
SELECT (SELECT count(*) FROM outreach.tasks WHERE status = 'pending' AND run_at <= now()),
       (SELECT count(*) FROM outreach.tasks WHERE status = 'pending' AND run_at > now()),
       (SELECT count(*) FROM outreach.tasks WHERE status = 'running'),
       coalesce((SELECT extract(epoch FROM now() - min(run_at))::float8 FROM outreach.tasks
                 WHERE status = 'pending' AND run_at <= now()), 0))sql")[0];
    return {r[0].as<long long>(), r[1].as<long long>(), r[2].as<long long>(), r[3].as<double>()};
}

std::vector<InstanceSummary> ControlStore::live_instances(std::int64_t beat_since) {
    pqxx::read_transaction tx(connection_);
    std::vector<InstanceSummary> out;
    for (const auto& r : tx.exec_params(R"sql(
SELECT id, host, version, pid, pf_micros(started_at), pf_micros(heartbeat_at)
FROM outreach.instances WHERE heartbeat_at >= pf_from_micros($1) ORDER BY id)sql",
                                        beat_since))
        out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                       r[3].as<int>(), r[4].as<std::int64_t>(), r[5].as<std::int64_t>()});
    return out;
}

void ControlStore::ping() {
    pqxx::read_transaction tx(connection_);
    tx.exec("SELECT 1");
}

}  // namespace pf::db
