#pragma once
// One mailbox's side of its InboundReader: cursors from the database, each
// fetched message parsed (adapters/inbound_parser) and classified
// (scheduler/inbound_classification), the batch recorded with its cursor in
// one transaction (db/inbound_store), the reader's state reported for
// operators, and the login made from the mailbox's encrypted secret.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/connection>

#include "adapters/inbound_reader.hpp"
#include "adapters/mailbox_secret.hpp"
#include "adapters/oauth_token_source.hpp"
#include "daemon/inbound_service.hpp"
#include "db/inbound_store.hpp"

namespace pf::daemon {

// The service's one connection, shared by its readers (inbound traffic is a
// few messages a minute), reopened after the server went away.
class InboundDatabase {
  public:
    explicit InboundDatabase(std::string url) : url_(std::move(url)) {}
    template <typename F>
    auto with_store(F&& work) {
        std::lock_guard lock(mutex_);
        try {
            return work(store());
        } catch (const pqxx::broken_connection&) {
            connection_.reset();
            throw;
        }
    }

  private:
    db::InboundStore store();
    std::string url_;
    std::mutex mutex_;
    std::unique_ptr<pqxx::connection> connection_;
};

struct InboundSinkContext {
    std::shared_ptr<InboundDatabase> database;
    std::shared_ptr<adapters::OAuthTokenSource> tokens;
    const std::optional<adapters::MailboxKey>* key = nullptr;
    const adapters::OAuthClient* oauth = nullptr;
    const InboundConfig* config = nullptr;
    std::string instance_id;
    const scheduler::Clock* clock = nullptr;
    InboundCounters* counters = nullptr;
};

class MailboxInboundSink final : public adapters::InboundSink {
  public:
    MailboxInboundSink(InboundSinkContext context, db::InboundMailboxRow mailbox)
        : context_(std::move(context)), mailbox_(std::move(mailbox)) {}

    std::map<std::string, adapters::InboundFolderCursor> cursors() override;
    bool deliver(const adapters::InboundFolderBatch& batch) override;
    void report(adapters::InboundMode mode, const std::optional<std::string>& error) override;
    adapters::ImapCredentials credentials(bool fresh) override;

  private:
    db::InboundMessageRecord to_record(const adapters::FetchedMessage& message) const;
    void count_and_log(const adapters::InboundFolderBatch& batch,
                       const std::vector<db::InboundRecordResult>& results) const;

    InboundSinkContext context_;
    db::InboundMailboxRow mailbox_;
};

// The reader's endpoint from the mailbox's imap_url and imap_security;
// throws std::invalid_argument naming what is wrong.
adapters::ImapEndpoint imap_endpoint(const db::InboundMailboxRow& mailbox,
                                     const InboundConfig& config);

// A stable key for a message without a Message-ID: "sha256:" + hex digest.
std::string content_key(std::string_view raw);

}  // namespace pf::daemon
