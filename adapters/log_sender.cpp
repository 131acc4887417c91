#include "adapters/log_sender.hpp"

#include <spdlog/spdlog.h>

#include <thread>

namespace pf::adapters {

SendResult LogSender::send(const OutboundEmail& email) {
    if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
    spdlog::debug("log adapter: message {} from {} to {}: {}", email.message_id, email.from_email,
                  email.to_email, email.subject);
    sent_.fetch_add(1, std::memory_order_relaxed);
    return SendResult::sent("log-" + email.message_id);
}

}  // namespace pf::adapters
