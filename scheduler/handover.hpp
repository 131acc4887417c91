#pragma once
// Phase "hand over": the reserved sends go to the adapter a chunk at a time.
// Each chunk is written 'sending' in the transaction that records the
// previous chunk's outcomes (the first chunk in the reservation's own
// transaction) and is handed over only once that transaction has committed:
// a crash leaves at most one chunk per worker with an unknown outcome, and
// no email is ever handed over that the database does not show 'sending'.
// A retry that finds its row 'sending' is held for an operator unless the
// policy says resend (enrollment_machine).

#include <atomic>
#include <optional>
#include <span>
#include <vector>

#include "adapters/send_adapter.hpp"
#include "db/engine_store.hpp"
#include "scheduler/batch_recorder.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/engine_settings.hpp"
#include "scheduler/outcome_writer.hpp"
#include "scheduler/random_source.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

struct HandoverParts {
    db::EngineStore& store;
    adapters::SendAdapter& adapter;
    const Clock& clock;
    RandomSource& random;
    const EngineSettings& settings;
    EngineCounters& counters;
};

class Handover {
  public:
    Handover(const HandoverParts& parts, OutcomeWriter& out, BatchRecorder& recorder)
        : parts_(parts), out_(out), recorder_(recorder) {}

    // Hands `sends` over chunk by chunk; `tx` is the reservation's open
    // transaction (if any). Returns with the last chunk handed over and its
    // outcomes gathered in the writer, and `tx` open to record them. When
    // `stopping` turns true, the chunks not yet written go back to pending.
    void run(std::optional<db::EngineStore::Transaction>& tx, const std::vector<StepWork*>& sends,
             const std::atomic<bool>* stopping);

  private:
    struct InFlight {
        StepWork* work;
        db::WrittenMessage message;
    };
    std::vector<InFlight> write_chunk(db::EngineStore::Transaction& tx,
                                      std::span<StepWork* const> chunk);
    void not_written(StepWork& w, bool still_active);
    void send_chunk(std::vector<InFlight>& chunk);
    adapters::OutboundEmail outbound_email(const InFlight& f, TimePoint sent_at) const;
    void record_result(const InFlight& f, const adapters::SendResult& result, TimePoint sent_at);
    void release_unwritten(std::span<StepWork* const> rest);

    HandoverParts parts_;
    OutcomeWriter& out_;
    BatchRecorder& recorder_;
};

}  // namespace pf::scheduler
