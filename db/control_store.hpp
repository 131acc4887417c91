#pragma once
// The control port's SQL: per-organisation campaign summaries, pause and
// resume, operator retries, queue statistics; sender mailboxes (listed,
// paused, resumed) in control_mailbox_store.cpp. Every statement is keyed by
// organisation_id, so an id of another organisation reads as not found.
// Low volume: parameterised statements, not prepared.

#include <cstdint>
#include <map>
#include <optional>
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

// A mailbox's inbound reading (IMAP), as operators see it.
struct MailboxInboundSummary {
    bool enabled = false;  // imap_url set and inbound_enabled
    std::optional<std::string> imap_url, imap_security;
    std::vector<std::string> folders;
    std::string mode = "stopped";  // connecting, idle, polling, error, stopped
    std::optional<std::string> reader, lease_until;  // the instance reading it
    std::optional<std::string> last_poll_at, last_success_at, last_error, last_error_at;
    int consecutive_failures = 0;
    struct Cursor {
        std::string folder;
        long long uidvalidity = 0, last_uid = 0;
    };
    std::vector<Cursor> cursors;
    std::map<std::string, long long> recorded;  // inbound events by kind
};

// One sender mailbox as the control port lists it: never its secret.
struct MailboxSummary {
    std::string id, email, status, timezone, auth_kind;
    std::optional<std::string> display_name, status_reason, status_changed_at;  // UTC, ISO 8601
    std::optional<std::string> smtp_url, smtp_username;
    int daily_limit = 0, min_gap_seconds = 0, max_jitter_seconds = 0;
    std::optional<std::string> ramp_start_date;  // YYYY-MM-DD; absent: no ramp-up
    int ramp_initial = 0, ramp_step_per_day = 0;
    std::string local_day;                  // today in the mailbox's zone, YYYY-MM-DD
    long long sent_today = 0;               // slots reserved on local_day
    std::vector<std::string> campaign_ids;  // the campaigns whose pool has it
    long long enrollments_assigned = 0, enrollments_active = 0;
    MailboxInboundSummary inbound;
};

struct MailboxChange {
    ChangeOutcome outcome = ChangeOutcome::not_found;
    std::string status;         // the mailbox's status after the call
    std::string email;          // for the log line
    long long tasks_woken = 0;  // resume: tasks that waited for it, due now
};

struct QueueStats {
    long long due = 0, scheduled = 0, running = 0;
    double oldest_due_seconds = 0;  // 0 when nothing is due
};

// A daemon instance that beat recently (outreach.instances).
struct InstanceSummary {
    std::string id, host, version;
    int pid = 0;
    std::int64_t started_at_micros = 0, heartbeat_at_micros = 0;
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
    std::vector<MailboxSummary> mailboxes(const std::string& organisation_id);
    // active or error -> paused; paused stays paused (unchanged).
    MailboxChange pause_mailbox(const std::string& organisation_id, const std::string& mailbox_id,
                                const std::string& reason);
    // paused or error -> active, failures forgotten; the tasks that waited
    // for it are due now. Active stays active (unchanged).
    MailboxChange resume_mailbox(const std::string& organisation_id, const std::string& mailbox_id);
    QueueStats queue_stats();
    // Instances whose last beat is at or after `beat_since` (microseconds
    // since the epoch, from the caller's clock: beats are written from each
    // daemon's own), by id.
    std::vector<InstanceSummary> live_instances(std::int64_t beat_since);
    void ping();

  private:
    CampaignChange change_status(const std::string& organisation_id, const std::string& campaign_id,
                                 const std::string& from, const std::string& to);
    pqxx::connection& connection_;
};

}  // namespace pf::db
