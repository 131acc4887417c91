#pragma once
// Runs claimed step tasks, a batch at a time: claim (one statement), plan
// each task with the state machine, assign A/B variants, render, then one
// send transaction (active check, sender pacing, daily-limit slots) that
// also writes the first chunk of outbound rows 'sending'; each chunk is
// handed to the adapter after its commit, and its outcomes are recorded in
// the transaction that writes the next chunk.
//
// No duplicate email: the (enrollment, step) row is committed 'sending'
// before the adapter sees it, a chunk at a time, so a crash leaves at most
// one chunk per worker with an unknown outcome. A retry that finds the row
// 'sent' only advances; 'pending' or 'failed' was never handed over and is
// sent; 'sending' (the daemon died mid-send) holds the task for an operator
// unless the policy says resend.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

#include "adapters/email_generator.hpp"
#include "adapters/send_adapter.hpp"
#include "db/engine_store.hpp"
#include "scheduler/histogram.hpp"
#include "scheduler/backoff.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/enrollment_machine.hpp"
#include "scheduler/random_source.hpp"
#include "scheduler/step_events.hpp"

namespace pf::scheduler {

struct EngineSettings {
    std::string instance_id;
    int batch_size = 100;
    int lease_seconds = 300;
    UnknownOutcomePolicy unknown_outcome = UnknownOutcomePolicy::hold;
    BackoffPolicy backoff;
    // Random gap between two sends of one sender (0 and 0: no pacing).
    std::chrono::milliseconds spacing_min{0}, spacing_max{0};
    std::string message_id_domain;  // empty: the sender's own domain
    // Public URL of the tracking listener (List-Unsubscribe, open pixel);
    // empty: neither is added.
    std::string tracking_base_url;
    std::string unsubscribe_mailto;  // List-Unsubscribe mailto: address, optional
    // Messages marked 'sending' together just before they are handed over:
    // at most this many per worker have an unknown outcome after a crash.
    int in_flight_chunk = 20;
};

// Counts and latencies since start, for logs, status and metrics. Owned by
// the process, so they survive an engine restarted on reload.
struct EngineCounters {
    // Tasks: claimed; succeeded (step sent or skipped: the enrollment moved
    // on); failed (the enrollment failed); retried (transient failure, back
    // off); and the rest of what a claim can end in.
    std::atomic<std::uint64_t> claimed{0}, succeeded{0}, sent{0}, skipped{0}, deferred{0},
        retried{0}, failed{0}, cancelled{0}, held{0}, released{0};
    // Messages the adapter refused (transient or permanent).
    std::atomic<std::uint64_t> send_failed{0};
    Histogram send_seconds;        // adapter send() calls
    Histogram generation_seconds;  // rendering one email
    Histogram claim_lag_seconds;   // claim time minus run_at
};

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
    db::EngineStore& store_;
    adapters::SendAdapter& adapter_;
    const adapters::GeneratorSet& generators_;
    const Clock& clock_;
    RandomSource& random_;
    const EngineSettings& settings_;
    EngineCounters& counters_;
    StepObserver* observer_ = nullptr;
};

std::int64_t to_micros(TimePoint t);
TimePoint from_micros(std::int64_t micros);

}  // namespace pf::scheduler
