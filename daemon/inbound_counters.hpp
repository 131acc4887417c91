#pragma once
// What the inbound service counted since start, for metrics.

#include <atomic>
#include <cstdint>

namespace pf::daemon {

// For metrics and the control port.
struct InboundCounters {
    std::atomic<std::uint64_t> replies{0}, hard_bounces{0}, soft_bounces{0}, auto_replies{0};
    std::atomic<std::uint64_t> unrelated{0}, duplicates{0}, read_errors{0};
    std::atomic<std::uint64_t> mailboxes_paused{0}, campaigns_paused{0};
    std::atomic<int> mailboxes_read{0};
};

}  // namespace pf::daemon
