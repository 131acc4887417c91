#include "scheduler/in_flight.hpp"

namespace pf::scheduler {

bool PipelineState::idle() const {
    return chunks.empty() && carried.empty();
}

void PipelineState::carry(db::FinishBatch more) {
    carried.append(std::move(more));
}

}  // namespace pf::scheduler
