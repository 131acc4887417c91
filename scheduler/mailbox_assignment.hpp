#pragma once
// Phase "reserve", sender mailboxes: in the send transaction, each send of a
// campaign with a mailbox pool gets its mailbox. An enrollment keeps the
// mailbox of its first send; a new one takes the pool's mailbox with the
// most room today (mailbox_rotation). What cannot go now is deferred:
//
//   its mailbox is full today       to the mailbox's next local day, in the window
//   every mailbox of the pool full  the new start to the next window of a new day
//   its mailbox paused or in error  contacted: waits for it (a new sender
//                                   would break the thread); never contacted:
//                                   moves to another mailbox of the pool
//
// The slots are counted per mailbox and mailbox-local day across every
// campaign and daemon (outreach.mailbox_daily_sends, locked here) and taken
// by take() for the sends that hold every other reservation too.

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "db/engine_store.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/engine_settings.hpp"
#include "scheduler/mailbox_rotation.hpp"
#include "scheduler/outcome_writer.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

class MailboxAssignment {
  public:
    MailboxAssignment(db::EngineStore::Transaction& tx, const EngineSettings& settings,
                      TimePoint now, OutcomeWriter& out)
        : tx_(tx), settings_(settings), now_(now), out_(out) {}

    // `sends` in the order they take slots (follow-ups first); returns those
    // that may go, each pool send with its mailbox set.
    std::vector<StepWork*> assign(std::vector<StepWork*> sends);
    // Takes the mailbox slots of the sends that go.
    void take(const std::vector<StepWork*>& going);
    // Before compose, without locks: the mailbox each pool send will most
    // likely go from (its own, or the pool's choice on today's counts), so
    // that its text is signed by that mailbox ({{sender.name}}). assign()
    // confirms it under lock, or picks another when it filled up meanwhile.
    void preview(const std::vector<StepWork*>& sends);

  private:
    using Key = std::pair<std::string, std::string>;  // organisation, id
    void load(const std::vector<StepWork*>& sends, bool lock);
    void count_days(std::vector<std::shared_ptr<const db::MailboxRow>> rows, bool lock);
    MailboxToday* previewed(const StepWork& w);
    bool assign_one(StepWork& w);
    MailboxToday* known_mailbox(const StepWork& w);
    bool assign_from_pool(StepWork& w);
    void use(StepWork& w, MailboxToday& m);

    db::EngineStore::Transaction& tx_;
    const EngineSettings& settings_;
    TimePoint now_;
    OutcomeWriter& out_;
    std::map<Key, MailboxToday> mailboxes_;
    std::map<Key, std::vector<PoolEntry>> pools_;  // by (organisation, campaign)
};

}  // namespace pf::scheduler
