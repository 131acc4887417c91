#include "daemon/inbound_service.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "adapters/inbound_reader.hpp"
#include "daemon/inbound_sink.hpp"

namespace pf::daemon {
namespace {

std::string reader_key(const db::InboundMailboxRow& m) {
    return m.organisation_id + "/" + m.id;
}

// What, when it changes, needs a new reader (a new login, other folders).
std::string fingerprint(const db::InboundMailboxRow& m) {
    std::string f = m.imap_url + '\n' + m.imap_security + '\n' + m.imap_username + '\n' +
                    m.smtp_username + '\n' + m.auth_kind + '\n' + m.secret + '\n' +
                    m.oauth_token_url + '\n' + m.oauth_client_id;
    for (const auto& folder : m.folders) f += '\n' + folder;
    return f;
}

adapters::InboundReaderSettings reader_settings(const db::InboundMailboxRow& m,
                                                const InboundConfig& c) {
    adapters::InboundReaderSettings s;
    s.endpoint = imap_endpoint(m, c);
    s.folders = m.folders.empty() ? std::vector<std::string>{"INBOX"} : m.folders;
    s.use_idle = c.idle;
    s.poll_interval = std::chrono::seconds(c.poll_interval_seconds);
    s.idle_reissue = std::chrono::seconds(c.idle_reissue_seconds);
    s.rescan_period = std::chrono::hours(24 * c.rescan_days);
    s.max_message_bytes = static_cast<std::size_t>(c.max_message_kib) * 1024;
    return s;
}

}  // namespace

struct InboundService::Reading {
    std::string fingerprint;
    std::unique_ptr<adapters::InboundReader> reader;
};

InboundService::InboundService(InboundServiceOptions options)
    : options_(std::move(options)),
      database_(std::make_shared<InboundDatabase>(options_.database_url)),
      tokens_(std::make_shared<adapters::OAuthTokenSource>()) {}

InboundService::~InboundService() {
    stop();
}

void InboundService::start() {
    if (!options_.config.enabled || options_.config.max_mailboxes == 0) {
        spdlog::info(
            "inbound: reading mailboxes is turned off (inbound.enabled, inbound.max_mailboxes)");
        return;
    }
    thread_ = std::thread([this] { lease_loop(); });
}

void InboundService::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    for (auto& [key, reading] : readers_) reading->reader->stop();
    readers_.clear();  // joins each reader
    options_.counters->mailboxes_read = 0;
    if (!options_.config.enabled) return;
    try {
        const auto released = database_->with_store(
            [&](db::InboundStore store) { return store.release_mailboxes(options_.instance_id); });
        if (released > 0) spdlog::info("inbound: gave back {} mailbox lease(s)", released);
    } catch (const std::exception& e) {
        spdlog::warn("inbound: could not give back the mailbox leases (they expire): {}", e.what());
    }
}

void InboundService::lease_loop() {
    while (true) {
        try {
            refresh_leases();
        } catch (const std::exception& e) {
            spdlog::warn("inbound: leasing mailboxes failed (retrying): {}", e.what());
        }
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, options_.lease_interval, [this] { return stopping_.load(); }))
            return;
    }
}

// Renews this daemon's leases, takes free ones up to max_mailboxes, starts a
// reader for each new (or changed) mailbox and stops those it lost.
void InboundService::refresh_leases() {
    const auto now = scheduler::to_micros(options_.clock->now());
    const auto leased = database_->with_store([&](db::InboundStore store) {
        return store.lease_mailboxes(options_.instance_id, now, options_.lease_seconds,
                                     options_.instance_timeout_seconds,
                                     options_.config.max_mailboxes);
    });
    std::set<std::string> held;
    for (const auto& mailbox : leased) {
        held.insert(reader_key(mailbox));
        const auto it = readers_.find(reader_key(mailbox));
        if (it != readers_.end() && it->second->fingerprint == fingerprint(mailbox) &&
            it->second->reader->running())
            continue;
        start_reader(mailbox);
    }
    for (auto it = readers_.begin(); it != readers_.end();) {
        if (held.count(it->first)) {
            ++it;
            continue;
        }
        spdlog::info("inbound: no longer reading {}", it->first);
        it = readers_.erase(it);
    }
    options_.counters->mailboxes_read = static_cast<int>(readers_.size());
}

void InboundService::start_reader(const db::InboundMailboxRow& mailbox) {
    const auto key = reader_key(mailbox);
    readers_.erase(key);  // a changed mailbox: the old reader stops first
    InboundSinkContext context{database_,       tokens_,          &options_.key,
                               &options_.oauth, &options_.config, options_.instance_id,
                               options_.clock,  options_.counters};
    auto sink = std::make_shared<MailboxInboundSink>(std::move(context), mailbox);
    try {
        auto reading = std::make_unique<Reading>();
        reading->fingerprint = fingerprint(mailbox);
        reading->reader = std::make_unique<adapters::InboundReader>(
            "mailbox " + mailbox.email, reader_settings(mailbox, options_.config), sink);
        spdlog::info("inbound: reading {} ({}, folders {})", mailbox.email, mailbox.imap_url,
                     fmt::join(mailbox.folders, ", "));
        readers_.emplace(key, std::move(reading));
    } catch (const std::invalid_argument& e) {
        sink->report(adapters::InboundMode::error, std::string(e.what()));
    }
}

}  // namespace pf::daemon
