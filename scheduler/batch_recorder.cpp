#include "scheduler/batch_recorder.hpp"

#include <spdlog/spdlog.h>

namespace pf::scheduler {

void BatchRecorder::record(db::EngineStore::Transaction& tx, OutcomeWriter& out) {
    outcomes_ += out.task_count();
    recorded_ += tx.finish(out.take(), instance_id_, to_micros(clock_.now()));
}

void BatchRecorder::report_lost_leases() const {
    if (recorded_ == outcomes_) return;
    spdlog::warn("{} of {} task outcomes were not recorded: their lease passed to another daemon",
                 outcomes_ - recorded_, outcomes_);
}

}  // namespace pf::scheduler
