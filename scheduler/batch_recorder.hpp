#pragma once
// Phase "record": writes the outcomes gathered so far (those carried from
// earlier batches first, then the outcome writer's) in the transaction at
// hand, set-based: tasks, messages, enrollments, next tasks, daily-limit
// slots given back. A task whose lease this instance no longer holds is left
// alone (another daemon rescued it); the recorder counts those and says so.

#include <cstddef>
#include <string>

#include "db/engine_store.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/in_flight.hpp"
#include "scheduler/outcome_writer.hpp"

namespace pf::scheduler {

class BatchRecorder {
  public:
    BatchRecorder(const Clock& clock, const std::string& instance_id)
        : clock_(clock), instance_id_(instance_id) {}

    // Returns how many task outcomes it wrote; the caller calls
    // state.written() once `tx` has committed.
    std::size_t record(db::EngineStore::Transaction& tx, PipelineState& state, OutcomeWriter& out);
    std::size_t record(db::EngineStore::Transaction& tx, PipelineState& state);
    // Logs the outcomes that were not written because their lease had passed.
    void report_lost_leases() const;

  private:
    const Clock& clock_;
    const std::string& instance_id_;
    std::size_t outcomes_ = 0, recorded_ = 0;
};

}  // namespace pf::scheduler
