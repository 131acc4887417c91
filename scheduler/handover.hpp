#pragma once
// Phase "hand over": the reserved sends go to the adapter in chunks, many
// emails of a chunk in flight at once (SendAdapter::send_many).
//
// No duplicate email: a chunk is written 'sending' in a transaction (which
// also records what earlier chunks' outcomes were) and handed over only once
// that transaction has committed, so no email is ever handed over that the
// database does not show 'sending'. At most EngineSettings::in_flight_chunk
// emails per worker are in flight: a chunk waits for room, and a crash
// leaves at most that many with an unknown outcome. A retry that finds its
// row 'sending' is held for an operator unless the policy says resend
// (enrollment_machine). Outcomes are gathered in the outcome writer as
// their results come in, in the order the chunks were handed over, and
// written with the next transaction.

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "adapters/send_adapter.hpp"
#include "db/engine_store.hpp"
#include "scheduler/batch_recorder.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/engine_settings.hpp"
#include "scheduler/in_flight.hpp"
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
    Handover(const HandoverParts& parts, PipelineState& state, OutcomeWriter& out,
             BatchRecorder& recorder)
        : parts_(parts), state_(state), out_(out), recorder_(recorder) {}

    // Hands `sends` (of `batch`) over; `tx`, empty or open, is left empty or
    // open with outcomes to write.
    // When `stopping` turns true, the sends not written yet go back to pending.
    void run(std::optional<db::EngineStore::Transaction>& tx,
             const std::shared_ptr<std::vector<StepWork>>& batch,
             const std::vector<StepWork*>& sends, const std::atomic<bool>* stopping);

    // Gathers the outcomes of the oldest chunks whose results are all in.
    void collect_ready();
    // Waits for every chunk in flight and gathers its outcomes.
    void collect_all();

  private:
    std::vector<InFlightEmail> write_chunk(db::EngineStore::Transaction& tx,
                                           std::span<StepWork* const> chunk);
    void not_written(StepWork& w, bool still_active);
    void hand_over(const std::shared_ptr<std::vector<StepWork>>& batch,
                   std::vector<InFlightEmail> emails);
    adapters::OutboundEmail outbound_email(const InFlightEmail& e, TimePoint sent_at) const;
    void collect_oldest();
    void record_result(const InFlightEmail& e, const adapters::SendResult& result,
                       TimePoint sent_at);
    void mailbox_unavailable(const InFlightEmail& e, const adapters::SendResult& result);
    void release_unwritten(std::span<StepWork* const> rest);

    HandoverParts parts_;
    PipelineState& state_;
    OutcomeWriter& out_;
    BatchRecorder& recorder_;
};

}  // namespace pf::scheduler
