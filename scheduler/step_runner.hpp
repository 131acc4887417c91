#pragma once
// Runs claimed step tasks a batch at a time, as a sequence of named phases:
//
//   claim      one statement claims due tasks with their context (db/statements/claim.sql)
//   plan       pure: the state machine, windows, conditions (step_planner)
//   assign     the A/B variant of each send, stored on first use (variant_assigner)
//   compose    the email's text from its prompt (adapters/email_composer)
//   reserve    still active? sender free? daily limit? (send_reservation)
//   hand over  'sending' rows a chunk at a time, then the adapter (handover)
//   record     every outcome, set-based (outcome_writer, batch_recorder)
//
// No duplicate email: the (enrollment, step) row is committed 'sending'
// before the adapter sees it, a chunk at a time, so a crash leaves at most
// one chunk per worker with an unknown outcome. A retry that finds the row
// 'sent' only advances; 'pending' or 'failed' was never handed over and is
// sent; 'sending' (the daemon died mid-send) holds the task for an operator
// unless the policy says resend.

#include <atomic>
#include <cstddef>
#include <vector>

#include "adapters/email_generator.hpp"
#include "adapters/send_adapter.hpp"
#include "db/engine_store.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/engine_settings.hpp"
#include "scheduler/outcome_writer.hpp"
#include "scheduler/random_source.hpp"
#include "scheduler/step_events.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

class StepRunner {
  public:
    StepRunner(db::EngineStore& store, adapters::SendAdapter& adapter,
               const adapters::GeneratorSet& generators, const Clock& clock, RandomSource& random,
               const EngineSettings& settings, EngineCounters& counters);

    // Claims one batch and runs it to the end; returns how many tasks it
    // claimed. When `stopping` becomes true before the send transaction, the
    // batch's tasks are given back untouched.
    std::size_t run_batch(const std::atomic<bool>* stopping = nullptr);

    // Reports every task's outcome to `observer` (replay); null: none.
    void set_observer(StepObserver* observer) { observer_ = observer; }

  private:
    std::vector<StepWork> claim(TimePoint now);
    std::vector<StepWork*> plan(std::vector<StepWork>& batch, TimePoint now, OutcomeWriter& out);
    void assign(const std::vector<StepWork*>& sends, TimePoint now);
    std::vector<StepWork*> compose(const std::vector<StepWork*>& sends, OutcomeWriter& out);
    std::vector<StepWork*> generate(const std::vector<StepWork*>& sends, OutcomeWriter& out);
    bool generate_one(StepWork& w, const adapters::PromptSpec& prompt, OutcomeWriter& out);

    db::EngineStore& store_;
    adapters::SendAdapter& adapter_;
    const adapters::GeneratorSet& generators_;
    const Clock& clock_;
    RandomSource& random_;
    const EngineSettings& settings_;
    EngineCounters& counters_;
    StepObserver* observer_ = nullptr;
};

}  // namespace pf::scheduler
