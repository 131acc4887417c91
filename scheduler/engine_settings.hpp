#pragma once
// What the step pipeline is configured with (EngineSettings) and what it
// counts (EngineCounters), shared by every phase of a batch.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "scheduler/backoff.hpp"
#include "scheduler/enrollment_machine.hpp"
#include "scheduler/histogram.hpp"

namespace pf::scheduler {

struct EngineSettings {
    std::string instance_id;
    int batch_size = 100;
    int lease_seconds = 300;
    // Heartbeats (scheduler/instance_liveness.hpp): how often this instance
    // beats and renews its leases, and how long another's silence lasts
    // before its tasks are taken over.
    std::chrono::seconds heartbeat_interval{3};
    std::chrono::seconds instance_timeout{15};
    UnknownOutcomePolicy unknown_outcome = UnknownOutcomePolicy::hold;
    BackoffPolicy backoff;
    // Random gap between two sends of one sender (0 and 0: no pacing).
    std::chrono::milliseconds spacing_min{0}, spacing_max{0};
    std::string message_id_domain;  // empty: the sender's own domain
    // Public URL of the tracking listener (List-Unsubscribe, open pixel);
    // empty: neither is added.
    std::string tracking_base_url;
    std::string unsubscribe_mailto;  // List-Unsubscribe mailto: address, optional
    // Emails per worker committed 'sending' whose outcome is not recorded
    // yet (handed over, or about to be): what a crash can leave with an
    // unknown outcome. Two batches' worth lets a worker prepare its next
    // batch while a relay answers the last one.
    int in_flight_chunk = 200;
    // Sender mailboxes: how long a send waits for a paused or failed
    // mailbox before it looks again (a resume makes it due at once), and how
    // many connection failures in a row turn a mailbox 'error'.
    std::chrono::seconds mailbox_retry{900};
    int mailbox_failures_to_error = 3;
};

// Per sending mailbox (by address): what its sends became since start.
class MailboxCounters {
  public:
    struct Counts {
        std::uint64_t sent = 0, failed = 0, sender_failures = 0;
    };
    void count(const std::string& mailbox, bool sent, bool sender_failure) {
        std::lock_guard lock(mutex_);
        auto& c = counts_[mailbox];
        if (sent) ++c.sent;
        if (!sent) ++c.failed;
        if (sender_failure) ++c.sender_failures;
    }
    std::map<std::string, Counts> snapshot() const {
        std::lock_guard lock(mutex_);
        return counts_;
    }

  private:
    mutable std::mutex mutex_;
    std::map<std::string, Counts> counts_;
};

// Counts and latencies since start, for logs, status and metrics. Owned by
// the process, so they survive an engine restarted on reload.
struct EngineCounters {
    // Tasks: claimed; succeeded (step sent or skipped: the enrollment moved
    // on); failed (the enrollment failed); retried (transient failure, back
    // off); and the rest of what a claim can end in.
    std::atomic<std::uint64_t> claimed{0}, succeeded{0}, sent{0}, skipped{0}, deferred{0},
        retried{0}, failed{0}, cancelled{0}, held{0}, released{0};
    // Messages the adapter refused (transient or permanent).
    std::atomic<std::uint64_t> send_failed{0};
    Histogram send_seconds;        // adapter send() calls
    Histogram generation_seconds;  // rendering one email
    Histogram claim_lag_seconds;   // claim time minus run_at
    MailboxCounters mailboxes;
};

}  // namespace pf::scheduler
