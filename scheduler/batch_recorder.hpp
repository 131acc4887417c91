#pragma once
// Phase "record": writes what the outcome writer gathered (tasks, messages,
// enrollments, next tasks, daily-limit slots given back) in a send
// transaction, set-based. A task whose lease this instance no longer holds
// is left alone (another daemon rescued it); the recorder counts those and
// says so once per batch.

#include <cstddef>
#include <string>

#include "db/engine_store.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/outcome_writer.hpp"

namespace pf::scheduler {

class BatchRecorder {
  public:
    BatchRecorder(const Clock& clock, const std::string& instance_id)
        : clock_(clock), instance_id_(instance_id) {}

    void record(db::EngineStore::Transaction& tx, OutcomeWriter& out);
    // Logs the outcomes that were not written because their lease had passed.
    void report_lost_leases() const;

  private:
    const Clock& clock_;
    const std::string& instance_id_;
    std::size_t outcomes_ = 0, recorded_ = 0;
};

}  // namespace pf::scheduler
