#pragma once
// The inbound service: leases the mailboxes this daemon reads (one daemon
// per mailbox, renewed with each beat, taken over within
// scheduler.instance_timeout_seconds of a dead daemon's last heartbeat),
// runs one adapters::InboundReader per leased mailbox, and records what each
// fetched message is and does (daemon/inbound_sink.cpp) through
// db::InboundStore, on its own database connection.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/mailbox_secret.hpp"
#include "adapters/oauth_token_source.hpp"
#include "daemon/config.hpp"
#include "daemon/inbound_counters.hpp"
#include "db/inbound_store.hpp"
#include "scheduler/clock.hpp"

namespace pf::adapters {
class InboundReader;
}

namespace pf::daemon {

struct InboundServiceOptions {
    std::string database_url;
    std::string instance_id;
    InboundConfig config;
    std::optional<adapters::MailboxKey> key;
    adapters::OAuthClient oauth;  // defaults for mailboxes that name no endpoint or client
    std::chrono::seconds lease_interval{3};
    int lease_seconds = 15;
    int instance_timeout_seconds = 15;
    const scheduler::Clock* clock = nullptr;
    InboundCounters* counters = nullptr;
};

class InboundDatabase;

class InboundService {
  public:
    explicit InboundService(InboundServiceOptions options);
    ~InboundService();  // stop()
    InboundService(const InboundService&) = delete;
    InboundService& operator=(const InboundService&) = delete;

    void start();
    // Stops every reader and gives back the leases.
    void stop();

  private:
    struct Reading;
    void lease_loop();
    void refresh_leases();
    void start_reader(const db::InboundMailboxRow& mailbox);

    InboundServiceOptions options_;
    std::shared_ptr<InboundDatabase> database_;
    std::shared_ptr<adapters::OAuthTokenSource> tokens_;
    std::map<std::string, std::unique_ptr<Reading>> readers_;  // by organisation/mailbox
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace pf::daemon
