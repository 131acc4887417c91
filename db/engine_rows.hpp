#pragma once
// Rows the engine reads and writes, as plain structs. Times are microseconds
// since the Unix epoch (the scheduler's TimePoint), ids are UUID text.

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace pf::db {

using Micros = std::int64_t;

// A daemon instance as it registers (outreach.instances). Times from the
// engine's clock.
struct InstanceRow {
    std::string id;  // what it leases tasks under (tasks.locked_by)
    std::string host;
    int pid = 0;
    std::string version;
    Micros started_at = 0;
};

// What the janitor's lease rescue takes back (db/statements/leases.sql):
// every running task whose lease ended before `now`; with heartbeat_before,
// those of instances whose last beat is older; with unregistered_before,
// those of instances without a row whose lease was last taken or renewed
// before it. `self` is never rescued by either heartbeat rule.
struct RescueCutoffs {
    Micros now = 0;
    std::optional<Micros> heartbeat_before;
    std::optional<Micros> unregistered_before;
    std::optional<std::string> self;
};

struct VariantRow {
    std::string id;
    std::string label;
    int weight = 1;
    std::string prompt_id;
    std::string subject_template;
    std::string body_template;
};

// A day off of an organisation or campaign (outreach.holidays).
struct HolidayRow {
    std::string day;  // YYYY-MM-DD
    std::string name;
};

// A claimed step task with everything needed to run it, read in the claim's
// own statement.
struct ClaimedStep {
    std::string organisation_id, task_id, campaign_id, enrollment_id, step_id;
    Micros run_at = 0;
    int attempts = 0, max_attempts = 1;

    std::string enrollment_status;
    int current_step_order = 0;

    std::string campaign_status, campaign_name, campaign_timezone;
    int window_start_minutes = 0, window_end_minutes = 0;
    std::vector<int> send_days;
    int daily_send_limit = 0;
    std::string from_email, from_name, reply_to;

    bool step_exists = false;
    int step_order = 0;
    std::string condition;
    bool thread_with_previous = false;
    std::string step_prompt_id, step_subject_template, step_body_template;
    std::optional<std::string> next_step_id;
    int next_step_delay_seconds = 0;

    std::string first_name, last_name, person_email, person_timezone;
    std::string position_title, position_email, email_status;
    std::string company_name, company_siren, company_naf_code, company_domain;

    // The stored A/B assignment for this step, if any, with its prompt.
    std::optional<std::string> assigned_variant_id;
    std::string assigned_label, assigned_prompt_id, assigned_subject_template,
        assigned_body_template;
    // Else the experiment that applies now, if any.
    std::optional<std::string> experiment_id;
    std::string experiment_status;
    std::optional<std::string> winner_variant_id;
    std::vector<VariantRow> variants;

    // The outbound message already written for this step, if any, and
    // whether it holds generated text (a retry sends that, never regenerates).
    std::optional<std::string> message_id;
    std::string message_status;
    bool message_has_text = false;

    bool replied = false, opened = false;
    std::string suppressed_reason;  // the recipient is on the organisation's suppression list
    bool track_opens = false;       // the campaign's setting
    std::optional<std::string> thread_root_message_id;  // RFC Message-ID of step 1's email
    std::string thread_root_subject;

    // The sequencing calendar: the next step's delay in its unit (empty:
    // next_step_delay_seconds), the campaign's holiday calendar, whether the
    // prospect's country picks it, the countries known, the organisation's
    // and campaign's own days off from the task's day on, and when this
    // step's message was sent (a retry that finds it sent anchors on it).
    std::string next_step_delay_unit;
    std::int64_t next_step_delay_amount = 0;
    std::string holiday_calendar = "none";
    bool holiday_calendar_from_country = false;
    std::string person_country, company_country;
    std::vector<HolidayRow> custom_holidays;
    std::optional<Micros> message_sent_at;
    // Sender mailboxes: whether the campaign has a pool, the enrollment's
    // mailbox (fixed at its first send) and whether any email of the
    // enrollment was sent (contacted: it keeps its mailbox whatever happens).
    bool campaign_has_pool = false;
    std::optional<std::string> enrollment_mailbox_id;
    bool contacted = false;
    std::optional<int> max_new_per_day;  // the campaign's cap on first steps per local day
};

// A sending mailbox (outreach.mailboxes), as the reservation reads it.
struct MailboxRow {
    std::string organisation_id, id, email, display_name;
    std::string status, status_reason, timezone;
    int daily_limit = 0, min_gap_seconds = 0, max_jitter_seconds = 0;
    std::string ramp_start_date;  // YYYY-MM-DD; empty: no ramp-up
    int ramp_initial = 0, ramp_step_per_day = 0;
    std::string smtp_url, smtp_security, smtp_username, auth_kind;
    std::string secret;  // encrypted ("pfsec1:..."); only the mailbox sender decrypts it
    std::string oauth_token_url, oauth_client_id;
};

// One mailbox of a campaign's pool.
struct PoolMember {
    std::string organisation_id, campaign_id, mailbox_id;
    int weight = 1;
};

// A mailbox's count for one of its local days, locked in the reservation.
struct MailboxDayCount {
    std::string organisation_id, mailbox_id, local_day;
    int reserved = 0;
    int due_followups = 0;  // follow-ups of its enrollments due and not claimed yet
};

// n slots of a mailbox's local day (reserved, or given back).
struct MailboxDaySlots {
    std::string organisation_id, mailbox_id, local_day;
    int n = 0;
};

// What the sends of a batch said about their mailboxes.
struct MailboxHealth {
    std::string organisation_id, mailbox_id;
    std::string problem;  // authentication, connection, ok
    std::string reason;
};

// How a prompt is generated (templates come with the claim).
struct PromptGeneration {
    std::string organisation_id, prompt_id, generator, system_prompt, model;
};

struct VariantChoice {
    std::string organisation_id, enrollment_id, step_id, experiment_id, variant_id;
};

// A message about to be handed to an adapter.
struct OutboundDraft {
    std::string organisation_id, campaign_id, enrollment_id, step_id;
    std::optional<std::string> variant_id;
    std::string prompt_id;
    std::string from_email, to_email, subject, body;
    std::optional<std::string> in_reply_to;
    std::optional<std::string> body_html;
    std::string cap_zone;                   // the campaign's zone: the daily limit's local day
    std::string local_day;                  // YYYY-MM-DD in cap_zone
    std::optional<std::string> mailbox_id;  // the sending mailbox; becomes the enrollment's
    // A message already 'sending' for this step (its outcome lost in a crash)
    // may be handed over again: the policy says resend, or the adapter is
    // idempotent.
    bool resend_in_flight = false;
};

// An outbound row as committed 'sending', about to be handed over.
struct WrittenMessage {
    std::string organisation_id, enrollment_id, message_id, rfc_message_id;
    std::string from_email, to_email, subject, body;
    std::optional<std::string> in_reply_to;
    std::optional<std::string> body_html;
    std::string tracking_token;  // tracking.pixels.token: open pixel and unsubscribe link
};

// What became of one draft in the statement that commits it to a send.
struct DraftResult {
    std::string organisation_id, enrollment_id;
    bool active = false;  // enrollment and campaign still active
    // Written 'sending'; empty when inactive, or when the step's row was
    // already sent or in flight (and the policy does not resend).
    std::optional<WrittenMessage> message;
};

struct DailyCapRequest {
    std::string organisation_id, campaign_id, local_day;
    int wanted = 0;
};

struct DailyCapGrant {
    std::string organisation_id, campaign_id, local_day;
    int granted = 0;
};

struct SenderSlot {
    std::string organisation_id, from_email;
    Micros next_send_at = 0;
    Micros queued_until = 0;  // the slot after the sends waiting for this sender
};

// What happened to one task, written back in the finishing transaction.
struct TaskOutcome {
    std::string organisation_id, task_id;
    std::string status;  // pending, succeeded, failed, cancelled
    std::optional<Micros> run_at;
    int attempts_delta = 0;  // -1 gives back the attempt the claim counted
    std::optional<std::string> last_error;
};

struct MessageOutcome {
    std::string organisation_id, message_id;
    std::string status;  // sent, failed
    std::optional<Micros> sent_at;
    std::string provider_message_id;
    std::optional<std::string> last_error;
};

struct EnrollmentOutcome {
    std::string organisation_id, enrollment_id;
    std::string status;  // active, completed, failed
    int step_order = 0;
    std::optional<Micros> next_run_at;
    std::optional<std::string> last_error;
};

struct NextTask {
    std::string organisation_id, campaign_id, enrollment_id, step_id;
    Micros run_at = 0;
};

struct FinishBatch {
    std::vector<TaskOutcome> tasks;
    std::vector<MessageOutcome> messages;
    std::vector<EnrollmentOutcome> enrollments;
    std::vector<NextTask> next_tasks;
    std::vector<DailyCapRequest> released_caps;  // slots of failed sends given back
    std::vector<MailboxDaySlots> released_mailbox_slots;
    std::vector<MailboxHealth> mailbox_health;
    int mailbox_failures_to_error = 3;  // connection failures in a row that make a mailbox 'error'

    // Nothing to write. A field added above belongs here and in append().
    bool empty() const {
        return tasks.empty() && messages.empty() && enrollments.empty() && next_tasks.empty() &&
               released_caps.empty() && released_mailbox_slots.empty() && mailbox_health.empty();
    }
    // Adds `more`'s rows after these (outcomes carried to the next transaction).
    void append(FinishBatch&& more) {
        move_into(tasks, more.tasks);
        move_into(messages, more.messages);
        move_into(enrollments, more.enrollments);
        move_into(next_tasks, more.next_tasks);
        move_into(released_caps, more.released_caps);
        move_into(released_mailbox_slots, more.released_mailbox_slots);
        move_into(mailbox_health, more.mailbox_health);
        mailbox_failures_to_error = more.mailbox_failures_to_error;
    }

  private:
    template <typename T>
    static void move_into(std::vector<T>& to, std::vector<T>& from) {
        to.insert(to.end(), std::make_move_iterator(from.begin()),
                  std::make_move_iterator(from.end()));
        from.clear();
    }
};

}  // namespace pf::db
