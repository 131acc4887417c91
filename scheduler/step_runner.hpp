#pragma once
// Runs claimed step tasks a batch at a time, as a sequence of named phases:
//
//   claim      one statement claims due tasks with their context (db/statements/claim.sql)
//   plan       pure: the state machine, windows, conditions (step_planner)
//   assign     the A/B variant of each send, stored on first use (variant_assigner),
//              and the sender mailbox it will most likely go from (mailbox_assignment)
//   compose    the email's text from its prompt (adapters/email_composer)
//   reserve    still active? sender free? daily limit? (send_reservation)
//   hand over  'sending' rows a chunk at a time, then the adapter (handover)
//   record     every outcome, set-based (outcome_writer, batch_recorder)
//
// Sends of one batch may still be in flight when the next batch is claimed
// (in_flight): their outcomes are written by the next transaction, the
// claim's at the latest, so a batch costs two commits (claim, and the
// 'sending' rows) when its sends fit in one chunk.
//
// No duplicate email: the (enrollment, step) row is committed 'sending'
// before the adapter sees it, so a crash leaves at most in_flight_chunk
// emails per worker with an unknown outcome. A retry that finds the row
// 'sent' only advances; 'pending' or 'failed' was never handed over and is
// sent; 'sending' (the daemon died mid-send) holds the task for an operator
// unless the policy says resend.

#include <atomic>
#include <cstddef>
#include <vector>

#include "adapters/email_generator.hpp"
#include "adapters/send_adapter.hpp"
#include "db/engine_store.hpp"
#include "scheduler/batch_recorder.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/engine_settings.hpp"
#include "scheduler/in_flight.hpp"
#include "scheduler/outcome_writer.hpp"
#include "scheduler/random_source.hpp"
#include "scheduler/step_events.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

class StepRunner {
  public:
    // `pipeline`: the worker's sends in flight and outcomes not yet written,
    // kept across runners (a reconnect); null: the runner keeps its own.
    StepRunner(db::EngineStore& store, adapters::SendAdapter& adapter,
               const adapters::GeneratorSet& generators, const Clock& clock, RandomSource& random,
               const EngineSettings& settings, EngineCounters& counters,
               PipelineState* pipeline = nullptr);

    // Claims one batch and runs it up to the hand-over; returns how many
    // tasks it claimed or, when none was due, how many in-flight outcomes it
    // waited for and wrote (0: nothing happened, nothing is left to write).
    // When `stopping` becomes true before the send transaction, the batch's
    // tasks are given back untouched.
    std::size_t run_batch(const std::atomic<bool>* stopping = nullptr);

    // Waits for every send in flight and writes every outcome not yet
    // written; returns how many task outcomes it wrote. Before idling,
    // draining or stopping.
    std::size_t finish_in_flight();

    // Reports every task's outcome to `observer` (replay); null: none.
    void set_observer(StepObserver* observer) { observer_ = observer; }

  private:
    std::shared_ptr<std::vector<StepWork>> claim(TimePoint now, BatchRecorder& recorder);
    std::vector<StepWork*> plan(std::vector<StepWork>& batch, TimePoint now, OutcomeWriter& out);
    void assign(const std::vector<StepWork*>& sends, TimePoint now);
    void preview_senders(const std::vector<StepWork*>& sends, TimePoint now, OutcomeWriter& out);
    std::vector<StepWork*> compose(const std::vector<StepWork*>& sends, OutcomeWriter& out);
    std::vector<StepWork*> generate(const std::vector<StepWork*>& sends, OutcomeWriter& out);
    bool generate_one(StepWork& w, const adapters::PromptSpec& prompt, OutcomeWriter& out);
    bool adapter_is_idempotent(const StepWork& w) const;
    void reserve_and_hand_over(const std::shared_ptr<std::vector<StepWork>>& batch,
                               std::vector<StepWork*> ready, TimePoint now, OutcomeWriter& out,
                               BatchRecorder& recorder, const std::atomic<bool>* stopping);

    db::EngineStore& store_;
    adapters::SendAdapter& adapter_;
    const adapters::GeneratorSet& generators_;
    const Clock& clock_;
    RandomSource& random_;
    const EngineSettings& settings_;
    EngineCounters& counters_;
    StepObserver* observer_ = nullptr;
    PipelineState own_pipeline_;
    PipelineState& pipeline_;
};

}  // namespace pf::scheduler
