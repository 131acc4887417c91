#include "adapters/log_sender.hpp"

#include <spdlog/spdlog.h>

namespace pf::adapters {

LogSender::LogSender(std::chrono::milliseconds latency) : latency_(latency) {
    if (latency_.count() > 0)
        timer_ = std::jthread([this](std::stop_token stop) { run_timer(stop); });
}

LogSender::~LogSender() {
    if (timer_.joinable()) {
        timer_.request_stop();  // wakes the wait in run_timer (condition_variable_any)
        timer_.join();
    }
}

SendResult LogSender::log_one(const OutboundEmail& email) {
    spdlog::debug("log adapter: message {} from {} to {}: {}", email.message_id, email.from_email,
                  email.to_email, email.subject);
    sent_.fetch_add(1, std::memory_order_relaxed);
    return SendResult::sent("log-" + email.message_id);
}

SendResult LogSender::send(const OutboundEmail& email) {
    if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
    return log_one(email);
}

void LogSender::send_many(std::vector<OutboundEmail> emails, SendCallback done) {
    if (latency_.count() == 0 || emails.empty()) {
        Batch now{{}, std::move(emails), std::move(done)};
        complete(now);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        batches_.push_back(
            {std::chrono::steady_clock::now() + latency_, std::move(emails), std::move(done)});
    }
    due_changed_.notify_one();
}

void LogSender::complete(Batch& batch) {
    for (std::size_t i = 0; i < batch.emails.size(); ++i) batch.done(i, log_one(batch.emails[i]));
}

// Takes the batches that are due (all of them once stopping) and reports them
// outside the lock, so a slow callback never holds up send_many.
void LogSender::run_timer(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (true) {
        if (batches_.empty()) {
            if (stop.stop_requested()) return;
            due_changed_.wait(lock, stop, [this] { return !batches_.empty(); });
            continue;
        }
        // Only the deadline or the stop ends this wait: a batch added meanwhile
        // is due later than the front one.
        const auto due = batches_.front().due;
        if (!stop.stop_requested())
            (void)due_changed_.wait_until(lock, stop, due, [] { return false; });
        Batch batch = std::move(batches_.front());
        batches_.pop_front();
        lock.unlock();
        complete(batch);
        lock.lock();
    }
}

}  // namespace pf::adapters
