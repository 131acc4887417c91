#include "adapters/pending_sends.hpp"

#include <spdlog/spdlog.h>

namespace pf::adapters {

PendingSends::PendingSends(std::size_t count)
    : results_(count), reported_(count, false), missing_(count) {}

SendCallback PendingSends::callback() {
    return [self = shared_from_this()](std::size_t index, SendResult result) {
        self->report(index, std::move(result));
    };
}

void PendingSends::report(std::size_t index, SendResult result) {
    {
        std::lock_guard lock(mutex_);
        if (index >= results_.size() || reported_[index]) {
            spdlog::error("send adapter reported email {} of a batch of {} {}", index,
                          results_.size(), index >= results_.size() ? "(no such email)" : "twice");
            return;
        }
        results_[index] = std::move(result);
        reported_[index] = true;
        if (--missing_ > 0) return;
    }
    all_in_.notify_all();
}

std::vector<SendResult> PendingSends::wait() {
    std::unique_lock lock(mutex_);
    all_in_.wait(lock, [this] { return missing_ == 0; });
    return results_;
}

bool PendingSends::ready() const {
    std::lock_guard lock(mutex_);
    return missing_ == 0;
}

SendResult send_and_wait(SendAdapter& adapter, const OutboundEmail& email) {
    auto pending = std::make_shared<PendingSends>(1);
    adapter.send_many({email}, pending->callback());
    return pending->wait().front();
}

}  // namespace pf::adapters
