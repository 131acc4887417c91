#pragma once
// One claimed task on its way through a batch: the claim's row, and what the
// phases add to it (the recipient's window and calendar, the next step's
// delay, the A/B variant and prompt, the composed text, the daily-limit day
// of its reserved slot). A plain struct: every phase reads and fills it, none
// owns it but the batch.

#include <memory>
#include <optional>
#include <string>

#include "db/engine_rows.hpp"
#include "scheduler/send_window.hpp"
#include "scheduler/step_delay.hpp"

namespace pf::scheduler {

struct StepWork {
    db::ClaimedStep step;
    SendWindow window;     // the recipient's, with the holidays of the prospect's calendar
    StepDelay next_delay;  // of the step after this one
    const date::time_zone* campaign_zone = nullptr;
    std::string recipient;

    // The prompt it sends (a variant's, else the step's).
    std::optional<std::string> variant_id;
    std::string variant_label, prompt_id, subject_template, body_template;

    // The composed text; empty when a stored text from an earlier attempt is reused.
    std::string subject, body;
    std::optional<std::string> body_html, in_reply_to;
    bool reuse_stored_text = false;

    std::string cap_day;  // YYYY-MM-DD of its daily-limit slot, in the campaign's zone

    // Its adapter accepts the same message twice as one (SendAdapter::
    // idempotent): an outcome lost in a crash is resent, not held.
    bool idempotent_adapter = false;

    // The sending mailbox (campaigns with a pool) and the day of its slot,
    // in the mailbox's zone; none: the campaign's from_email.
    std::shared_ptr<const db::MailboxRow> mailbox;
    std::string mailbox_day;

    const std::string& sender_email() const { return mailbox ? mailbox->email : step.from_email; }
};

}  // namespace pf::scheduler
