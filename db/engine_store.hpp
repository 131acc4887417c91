#pragma once
// The engine's data access: set-based statements over whole claimed
// batches (N tasks, a handful of round trips), whose text lives in
// db/statements/*.sql by family (claim, variants, reserve, pacing, record,
// next_due, leases), parameterised, prepared once
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

    // How each (organisation, prompt) is generated: generator, system prompt, model.
    std::vector<PromptGeneration> prompt_generation(
        const std::vector<std::pair<std::string, std::string>>& prompts);

    // One transaction of the send path. The first commits a batch to its
    // sends (active check, pacing, daily limit) and writes the first chunk
    // 'sending'; each later one records a chunk's outcomes and writes the
    // next chunk, so a crash leaves at most one chunk per worker in flight.
    class Transaction {
      public:
        explicit Transaction(EngineStore& store);
        ~Transaction();
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;

        // claim() inside this transaction (after the outcomes it records).
        std::vector<ClaimedStep> claim(Micros now, int limit, const std::string& instance,
                                       int lease_seconds);
        // Enrollments (organisation, enrollment) still active in active
        // campaigns (no locks: the write below checks again under lock).
        std::vector<std::pair<std::string, std::string>> active_enrollments(
            const std::vector<std::pair<std::string, std::string>>& enrollments);
        // Each sender's next allowed send time (max with now), locked.
        std::vector<SenderSlot> lock_senders(const std::vector<SenderSlot>& senders, Micros now);
        void set_senders(const std::vector<SenderSlot>& senders);
        // Reserves daily-limit slots; returns how many each group got.
        std::vector<DailyCapGrant> reserve_daily(const std::vector<DailyCapRequest>& requests);
        // campaigns.max_new_per_day slots, on rows reserve_daily made.
        std::vector<DailyCapGrant> reserve_starts(const std::vector<DailyCapRequest>& requests);
        // Writes or revives the (enrollment, step) outbound rows as 'sending'
        // when enrollment and campaign are still active (campaigns locked FOR
        // SHARE) and `instance` still holds the enrollment's task (task rows
        // locked FOR SHARE: the lease rescue cannot take it meanwhile); one
        // result per draft, in no particular order.
        // A message already 'sending' is written again only for drafts with
        // resend_in_flight.
        std::vector<DraftResult> write_sending(const std::vector<OutboundDraft>& drafts,
                                               const std::string& message_id_domain, Micros now,
                                               const std::string& instance);
        // Sender mailboxes (db/mailbox_store.cpp). The pools of these
        // (organisation, campaign) pairs:
        std::vector<PoolMember> campaign_pools(
            const std::vector<std::pair<std::string, std::string>>& campaigns);
        // Mailbox rows by (organisation, id), secrets still encrypted.
        std::vector<MailboxRow> mailboxes(
            const std::vector<std::pair<std::string, std::string>>& ids);
        // Each (organisation, mailbox, local day)'s count, locked until commit
        // (created at 0 when missing), with its follow-ups due before `now`.
        std::vector<MailboxDayCount> lock_mailbox_days(const std::vector<MailboxDaySlots>& days,
                                                       Micros now);
        // The same counts without locks or new rows (follow-ups not counted).
        std::vector<MailboxDayCount> peek_mailbox_days(const std::vector<MailboxDaySlots>& days);
        void take_mailbox_slots(const std::vector<MailboxDaySlots>& slots);
        void release_mailbox_slots(const std::vector<MailboxDaySlots>& slots);
        // Errors and failure counts from what the sends said (pf_mailbox_health).
        void record_mailbox_health(const std::vector<MailboxHealth>& health, int failures_to_error,
                                   Micros now);

        // Writes outcomes. Tasks whose lease this instance no longer holds
        // are left alone; returns how many it updated.
        std::size_t finish(const FinishBatch& batch, const std::string& instance, Micros now);
        void commit();

      private:
        EngineStore& store_;
        std::unique_ptr<pqxx::dbtransaction> tx_;
    };

    // finish() in a transaction of its own.
    std::size_t finish(const FinishBatch& batch, const std::string& instance, Micros now);

    // Running tasks whose lease expired (their daemon died) go back to
    // pending; returns how many. Leases only: rescue_leases without cutoffs.
    std::size_t rescue_expired_leases(Micros now);

    // The janitor's rescue (db/statements/leases.sql): leases that expired,
    // and those of instances presumed dead by RescueCutoffs; returns how many
    // tasks went back to pending.
    std::size_t rescue_leases(const RescueCutoffs& cutoffs);

    // This instance's beat (registers it when its row is missing) and the
    // renewal of its running tasks' leases that end within half a lease or
    // two beats; returns how many leases it renewed.
    std::size_t heartbeat(const InstanceRow& instance, Micros now, int lease_seconds,
                          int heartbeat_interval_seconds);
    // A clean stop: the instance's row goes.
    void deregister_instance(const std::string& instance);
    // Rows of instances silent since `silent_since`; returns how many went.
    std::size_t forget_instances(Micros silent_since);

    // This instance's running tasks go back to pending (shutdown).
    std::size_t release_leases(const std::string& instance);

    // The earliest run_at of a pending task of an active campaign, if any.
    std::optional<Micros> next_due(Micros after);

  private:
    template <typename... Args>
    pqxx::result run(pqxx::transaction_base& tx, const char* name, Args&&... args);
    void without_jit(pqxx::transaction_base& tx);

    pqxx::connection& connection_;
    bool prepared_;
};

}  // namespace pf::db
