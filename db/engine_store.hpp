#pragma once
// The engine's SQL, all of it: set-based statements over whole claimed
// batches (N tasks, a handful of round trips), parameterised, prepared once
// per connection unless prepared statements are off (PgBouncer in
// transaction pooling before 1.21), and always keyed by organisation_id.
// Times are passed in from the engine's clock, never read from now(), so the
// engine runs the same on a virtual clock.

#include <pqxx/connection>
#include <string>
#include <vector>

#include "db/engine_rows.hpp"

namespace pqxx {
class dbtransaction;
}

namespace pf::db {

class EngineStore {
  public:
    EngineStore(pqxx::connection& connection, bool prepared_statements);

    // Claims up to `limit` due pending tasks of active campaigns (one
    // statement, FOR UPDATE SKIP LOCKED), leases them to `instance` until
    // now + lease, and returns them with their context, in run_at order.
    std::vector<ClaimedStep> claim(Micros now, int limit, const std::string& instance,
                                   int lease_seconds);

    // Stores first-use A/B assignments; returns the variant each enrollment
    // has now (its own new one, or the one a concurrent assigner stored first).
    std::vector<VariantChoice> assign_variants(const std::vector<VariantChoice>& wanted,
                                               Micros now);

    // The transaction in which sends are committed to, before any adapter call.
    class SendTransaction {
      public:
        explicit SendTransaction(EngineStore& store);
        ~SendTransaction();
        // Enrollments (organisation, enrollment) still active in active
        // campaigns; locks them and their campaigns FOR SHARE so a pause or a
        // stop waits until the messages below are marked in flight.
        std::vector<std::pair<std::string, std::string>> lock_active(
            const std::vector<std::pair<std::string, std::string>>& enrollments);
        // Each sender's next allowed send time (max with now), locked.
        std::vector<SenderSlot> lock_senders(const std::vector<SenderSlot>& senders, Micros now);
        void set_senders(const std::vector<SenderSlot>& senders);
        // Reserves daily-limit slots; returns how many each group got.
        std::vector<DailyCapGrant> reserve_daily(const std::vector<DailyCapRequest>& requests);
        // Writes or revives the (enrollment, step) outbound rows as 'pending'
        // (reserved, not yet handed over). A row already sent, or in flight
        // with resend off, is not returned.
        std::vector<WrittenMessage> write_pending(const std::vector<OutboundDraft>& drafts,
                                                  const std::string& message_id_domain,
                                                  bool resend_in_flight, Micros now);
        void commit();

      private:
        EngineStore& store_;
        std::unique_ptr<pqxx::dbtransaction> tx_;
    };

    // Marks pending messages 'sending' just before they are handed over, if
    // their campaign is still active; returns those marked. A daemon that
    // dies now leaves at most this chunk with an unknown outcome.
    std::vector<std::pair<std::string, std::string>> mark_sending(
        const std::vector<std::pair<std::string, std::string>>& messages);

    // Writes every outcome of a batch in one transaction. Tasks whose lease
    // this instance no longer holds are left alone; returns how many it updated.
    std::size_t finish(const FinishBatch& batch, const std::string& instance, Micros now);

    // Running tasks whose lease expired (their daemon died) go back to
    // pending; returns how many.
    std::size_t rescue_expired_leases(Micros now);

    // This instance's running tasks go back to pending (shutdown).
    std::size_t release_leases(const std::string& instance);

    // The earliest run_at of a pending task of an active campaign, if any.
    std::optional<Micros> next_due(Micros after);

  private:
    template <typename... Args>
    pqxx::result run(pqxx::transaction_base& tx, const char* name, Args&&... args);

    pqxx::connection& connection_;
    bool prepared_;
};

}  // namespace pf::db
