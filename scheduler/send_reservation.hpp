#pragma once
// Phase "reserve": in the send transaction, before anything is written
// 'sending', each ready send must still be wanted (enrollment and campaign
// active), must get its sender mailbox (mailbox_assignment: pools, mailbox
// limits), must find its sender free (pacing), must get a slot under its
// campaign's daily limit and, for a first send, under the campaign's new
// enrollments per day. What cannot go now is released or deferred through
// the outcome writer; what can keeps the claim's order.

#include <vector>

#include "db/engine_store.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/engine_settings.hpp"
#include "scheduler/outcome_writer.hpp"
#include "scheduler/random_source.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

class SendReservation {
  public:
    SendReservation(db::EngineStore::Transaction& tx, const EngineSettings& settings,
                    RandomSource& random, TimePoint now, OutcomeWriter& out)
        : tx_(tx), settings_(settings), random_(random), now_(now), out_(out) {}

    // The sends that hold every reservation, in claim order; each has its
    // daily-limit day (cap_day) set.
    std::vector<StepWork*> reserve(std::vector<StepWork*> ready);

  private:
    std::vector<StepWork*> keep_active(std::vector<StepWork*> ready);
    std::vector<StepWork*> pace_senders(std::vector<StepWork*> ready);
    std::vector<StepWork*> take_daily_slots(std::vector<StepWork*> ready);
    std::vector<StepWork*> take_start_slots(std::vector<StepWork*> ready);

    db::EngineStore::Transaction& tx_;
    const EngineSettings& settings_;
    RandomSource& random_;
    TimePoint now_;
    OutcomeWriter& out_;
};

}  // namespace pf::scheduler
