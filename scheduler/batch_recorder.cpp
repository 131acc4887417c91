#include "scheduler/batch_recorder.hpp"

#include <spdlog/spdlog.h>

namespace pf::scheduler {

std::size_t BatchRecorder::record(db::EngineStore::Transaction& tx, PipelineState& state,
                                  OutcomeWriter& out) {
    state.carry(out.take());
    return record(tx, state);
}

std::size_t BatchRecorder::record(db::EngineStore::Transaction& tx, PipelineState& state) {
    const auto outcomes = state.carried.tasks.size();
    outcomes_ += outcomes;
    recorded_ += tx.finish(state.carried, instance_id_, to_micros(clock_.now()));
    return outcomes;
}

void BatchRecorder::report_lost_leases() const {
    if (recorded_ == outcomes_) return;
    spdlog::warn("{} of {} task outcomes were not recorded: their lease passed to another daemon",
                 outcomes_ - recorded_, outcomes_);
}

}  // namespace pf::scheduler
