#pragma once
// Sends handed to the adapter whose outcomes are not written yet, carried
// from one batch to the next: a worker claims, composes and reserves its
// next batch while a relay is still answering the last one, so adapter
// latency does not cap throughput. Bounded: at most
// EngineSettings::in_flight_chunk emails per worker are committed 'sending'
// without a recorded outcome, which is all a crash can leave with an unknown
// outcome. Owned by the worker loop, so a reconnect (a new StepRunner)
// records what the old one handed over.

#include <chrono>
#include <deque>
#include <memory>
#include <vector>

#include "adapters/pending_sends.hpp"
#include "db/engine_rows.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

struct InFlightEmail {
    StepWork* work;
    db::WrittenMessage message;
};

// One chunk: written 'sending' in one transaction, handed over in one
// send_many call.
struct InFlightChunk {
    std::shared_ptr<std::vector<StepWork>> batch;  // keeps the `work` pointers valid
    std::vector<InFlightEmail> emails;
    std::shared_ptr<adapters::PendingSends> results;
    TimePoint sent_at;
};

struct PipelineState {
    std::deque<InFlightChunk> chunks;  // oldest first
    std::size_t emails = 0;            // in flight, over all chunks
    db::FinishBatch carried;           // outcomes gathered, not written yet

    bool idle() const;
    // The carried outcomes are committed: forget them. (Until then they stay,
    // so a transaction that fails is recorded again by the next one.)
    void written() { carried = {}; }
    // Moves `more` behind what is already carried.
    void carry(db::FinishBatch more);
};

}  // namespace pf::scheduler
