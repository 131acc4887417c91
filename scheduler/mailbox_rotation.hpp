#pragma once
// Sender mailboxes, the pure part: a mailbox's effective limit on one of its
// local days (its daily limit, or less while it ramps up), its room today,
// and which mailbox of a pool an enrollment's first send takes. No I/O:
// mailbox_assignment reads and locks the rows, this decides.

#include <date/date.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/engine_rows.hpp"
#include "scheduler/clock.hpp"

namespace date {
class time_zone;
}

namespace pf::scheduler {

// min(daily_limit, ramp_initial + ramp_step_per_day x days since
// ramp_start_date); before the ramp starts, ramp_initial. Throws
// std::invalid_argument when ramp_start_date is not YYYY-MM-DD.
int effective_daily_limit(const db::MailboxRow& mailbox, date::local_days day);

// One mailbox as this reservation sees it on its own local day.
struct MailboxToday {
    std::shared_ptr<const db::MailboxRow> row;
    const date::time_zone* zone = nullptr;
    std::string day;  // YYYY-MM-DD in zone
    int limit = 0;
    int reserved = 0;       // committed by every daemon and campaign
    int due_followups = 0;  // its enrollments' follow-ups due and not claimed yet
    int taken = 0;          // by this reservation so far

    bool active() const { return row->status == "active"; }
    int room() const { return limit - reserved - taken; }
    // Follow-ups go before new starts: none starts from a mailbox while its
    // enrollments have follow-ups due and waiting to be claimed.
    int room_for_new_start() const { return due_followups > 0 ? 0 : room(); }
};

struct PoolEntry {
    MailboxToday* mailbox = nullptr;
    int weight = 1;
};

// The pool's active mailbox with the most room for a new start today; ties
// go to the higher weight, then to the lower address (stable under replay).
// Null when none has room.
MailboxToday* choose_mailbox(const std::vector<PoolEntry>& pool);

// When a send that found `mailbox` full may try again: the first instant of
// the mailbox's next local day.
TimePoint mailbox_next_day(const MailboxToday& mailbox, TimePoint now);

// When a new start that found the pool's mailboxes busy with due follow-ups
// looks again: once the least busy of those with room has sent them, at its
// pacing. None: no active mailbox of the pool has room today.
std::optional<std::chrono::milliseconds> wait_for_followups(const std::vector<PoolEntry>& pool);

// Pacing between two sends of a mailbox: at least min_gap_seconds plus a
// random jitter of 1 s to max_jitter_seconds (the second covers the time
// between a slot's reservation and the hand-over, so the gaps measured
// between sent_at times are never under min_gap_seconds).
struct MailboxGap {
    std::chrono::milliseconds min, max;
};
MailboxGap mailbox_gap(const db::MailboxRow& mailbox);

}  // namespace pf::scheduler
