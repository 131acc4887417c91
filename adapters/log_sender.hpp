#pragma once
// The `log` adapter: logs one line per message and sends nothing. For
// benchmarks, where the cost of a real transport would hide the engine's.
//
// `latency` stands in for a provider's round trip. send() sleeps it;
// send_many() does not block: a batch completes as a whole one latency after
// it was handed over, like a relay with every email in flight at once. A
// single timer thread, started with the adapter when the latency is not
// zero, reports the batches due; with no latency a batch completes inline.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/send_adapter.hpp"

namespace pf::adapters {

class LogSender final : public SendAdapter {
  public:
    explicit LogSender(std::chrono::milliseconds latency = std::chrono::milliseconds(0));
    // Batches still waiting for their latency complete at once: every email
    // handed over gets its callback.
    ~LogSender() override;
    LogSender(const LogSender&) = delete;
    LogSender& operator=(const LogSender&) = delete;

    std::string_view name() const override { return "log"; }
    SendResult send(const OutboundEmail& email) override;
    void send_many(std::vector<OutboundEmail> emails, SendCallback done) override;
    std::uint64_t sent_count() const { return sent_.load(); }

  private:
    struct Batch {
        std::chrono::steady_clock::time_point due;
        std::vector<OutboundEmail> emails;
        SendCallback done;
    };

    SendResult log_one(const OutboundEmail& email);
    void complete(Batch& batch);
    void run_timer(std::stop_token stop);

    const std::chrono::milliseconds latency_;
    std::atomic<std::uint64_t> sent_{0};
    std::mutex mutex_;
    std::condition_variable_any due_changed_;
    // In order of `due`: every batch waits the same latency and its deadline
    // is taken under the mutex, so appending keeps the order.
    std::deque<Batch> batches_;
    std::jthread timer_;  // last: stopped and joined before the members above go
};

}  // namespace pf::adapters
