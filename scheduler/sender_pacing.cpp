#include "scheduler/sender_pacing.hpp"

#include <algorithm>

namespace pf::scheduler {

PacingDecision take_pacing_slot(db::SenderSlot& slot, TimePoint now,
                                std::chrono::milliseconds spacing_min,
                                std::chrono::milliseconds spacing_max, RandomSource& random) {
    if (slot.next_send_at <= to_micros(now)) {
        const auto gap = random.between(spacing_min.count(), spacing_max.count());
        slot.next_send_at = to_micros(now) + gap * 1000;
        return {true, {}};
    }
    const auto at = from_micros(std::max(slot.next_send_at, slot.queued_until));
    slot.queued_until =
        to_micros(at + std::chrono::duration_cast<std::chrono::microseconds>(spacing_max));
    return {false, at};
}

}  // namespace pf::scheduler
