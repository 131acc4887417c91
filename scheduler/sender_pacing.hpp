#pragma once
// Sender pacing: a random gap between two sends of one sender, so a mailbox
// never bursts (providers flag bursts). Pure: the slot comes from and goes
// back to outreach.sender_pacing in the send transaction, locked.

#include <chrono>

#include "db/engine_rows.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/random_source.hpp"

namespace pf::scheduler {

struct PacingDecision {
    bool go_now = false;
    TimePoint wait_until{};  // when not go_now: this send's own slot
};

// One send of the sender whose slot is `slot`: it goes now when the sender
// is free (and the next send waits a gap in [spacing_min, spacing_max]);
// else it takes its own place at the end of the sender's queue, spacing_max
// after the one before (a gap is at most that), so that it finds the sender
// free when it comes due instead of colliding with the others waiting.
PacingDecision take_pacing_slot(db::SenderSlot& slot, TimePoint now,
                                std::chrono::milliseconds spacing_min,
                                std::chrono::milliseconds spacing_max, RandomSource& random);

}  // namespace pf::scheduler
