#pragma once
// The control port's SQL: per-organisation campaign summaries, pause and
// resume, operator retries, queue statistics. Every statement is keyed by
// organisation_id, so an id of another organisation reads as not found.
// Low volume: parameterised statements, not prepared.

#include <pqxx/connection>
#include <string>
#include <vector>

namespace pf::db {

struct CampaignSummary {
    std::string id, name, status;
    long long enrollments_active = 0, enrollments_completed = 0, enrollments_stopped = 0,
              enrollments_failed = 0, enrollments_paused = 0;
    long long tasks_due = 0, tasks_scheduled = 0, tasks_running = 0, tasks_failed = 0;
    long long messages_sent = 0;
};

enum class ChangeOutcome { changed, unchanged, not_found, conflict };

struct CampaignChange {
    ChangeOutcome outcome = ChangeOutcome::not_found;
    std::string status;  // the campaign's status after the call
};

struct TaskRetry {
    ChangeOutcome outcome = ChangeOutcome::not_found;
    std::string task_id;  // the task that will run (may be a new one)
    std::string detail;   // what was done, or why not
};

struct QueueStats {
    long long due = 0, scheduled = 0, running = 0;
    double oldest_due_seconds = 0;  // 0 when nothing is due
};

class ControlStore {
  public:
    explicit ControlStore(pqxx::connection& connection) : connection_(connection) {}

    bool organisation_exists(const std::string& organisation_id);
    std::vector<CampaignSummary> campaigns(const std::string& organisation_id);
    // active -> paused; paused stays paused (unchanged); other statuses conflict.
    CampaignChange pause(const std::string& organisation_id, const std::string& campaign_id);
    // paused -> active; active stays active (unchanged); other statuses conflict.
    CampaignChange resume(const std::string& organisation_id, const std::string& campaign_id);
    // The campaign's tasks a live daemon holds (running, lease not expired).
    long long in_flight(const std::string& organisation_id, const std::string& campaign_id);
    // A failed task (or one held for an operator) runs again now.
    TaskRetry retry_task(const std::string& organisation_id, const std::string& task_id);
    QueueStats queue_stats();
    void ping();

  private:
    CampaignChange change_status(const std::string& organisation_id, const std::string& campaign_id,
                                 const std::string& from, const std::string& to);
    pqxx::connection& connection_;
};

}  // namespace pf::db
