#include "scheduler/in_flight.hpp"

namespace pf::scheduler {
namespace {

template <typename T>
void append(std::vector<T>& to, std::vector<T>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

bool PipelineState::idle() const {
    return chunks.empty() && carried.tasks.empty() && carried.messages.empty() &&
           carried.enrollments.empty() && carried.next_tasks.empty() &&
           carried.released_caps.empty();
}

void PipelineState::carry(db::FinishBatch more) {
    append(carried.tasks, more.tasks);
    append(carried.messages, more.messages);
    append(carried.enrollments, more.enrollments);
    append(carried.next_tasks, more.next_tasks);
    append(carried.released_caps, more.released_caps);
}

}  // namespace pf::scheduler
