#pragma once
// The results of one send_many batch as they come back: the caller hands
// callback() to the adapter and collects the results later with wait()
// (blocking) or checks ready() (not). Adapters may report from their own
// thread after the caller has moved on, so the callback owns a reference to
// the PendingSends; always create one with std::make_shared.
//
//   auto pending = std::make_shared<PendingSends>(emails.size());
//   adapter.send_many(std::move(emails), pending->callback());
//   ... other work ...
//   const auto results = pending->wait();  // results[i] is emails[i]'s

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "adapters/send_adapter.hpp"

namespace pf::adapters {

class PendingSends : public std::enable_shared_from_this<PendingSends> {
  public:
    explicit PendingSends(std::size_t count);
    PendingSends(const PendingSends&) = delete;
    PendingSends& operator=(const PendingSends&) = delete;

    // Stores each result under its index and wakes wait() once all are in.
    // A second report for an index, or an index past the batch, is an
    // adapter bug: logged and ignored (the callback must not throw).
    // Throws std::bad_weak_ptr unless this object is owned by a shared_ptr.
    SendCallback callback();

    // Blocks until every email has its result; returns them in batch order.
    std::vector<SendResult> wait();
    bool ready() const;

  private:
    void report(std::size_t index, SendResult result);

    mutable std::mutex mutex_;
    std::condition_variable all_in_;
    std::vector<SendResult> results_;
    std::vector<bool> reported_;
    std::size_t missing_;
};

// send() of an adapter whose real work is send_many: one email, waited for.
SendResult send_and_wait(SendAdapter& adapter, const OutboundEmail& email);

}  // namespace pf::adapters
