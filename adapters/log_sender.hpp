#pragma once
// The `log` adapter: logs one line per message and sends nothing. For
// benchmarks, where the cost of a real transport would hide the engine's.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "adapters/send_adapter.hpp"

namespace pf::adapters {

class LogSender final : public SendAdapter {
  public:
    // `latency` stands in for a provider's round trip (benchmarks, crash tests).
    explicit LogSender(std::chrono::milliseconds latency = std::chrono::milliseconds(0))
        : latency_(latency) {}
    std::string_view name() const override { return "log"; }
    SendResult send(const OutboundEmail& email) override;
    std::uint64_t sent_count() const { return sent_.load(); }

  private:
    std::chrono::milliseconds latency_;
    std::atomic<std::uint64_t> sent_{0};
};

}  // namespace pf::adapters
