#pragma once
// The inbound reader's SQL: leases on mailboxes (one daemon reads a mailbox
// at a time), folder cursors, the inbound state operators see, and what a
// classified message does, all keyed by the mailbox's organisation.
//
// record_folder_batch() writes a fetched batch in one transaction: each
// message's event and effects, then the folder's cursor, so a daemon that
// dies mid-batch leaves the batch undone and the next reader does it once.
// An event already recorded for the mailbox (same Message-ID: a second
// folder, a rescan) does nothing again.

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "db/inbound_effects.hpp"

namespace pf::db {

// A mailbox this daemon reads, with its IMAP settings (secret still encrypted).
struct InboundMailboxRow {
    std::string organisation_id, id, email, timezone;
    std::string imap_url, imap_security, imap_username, smtp_username;
    std::string auth_kind, secret, oauth_token_url, oauth_client_id;
    std::vector<std::string> folders;
};

struct FolderCursorRow {
    std::string folder;
    std::int64_t uidvalidity = 0, last_uid = 0;
};

// One classified inbound message of a batch. kind "unrelated" records
// nothing but moves the cursor past it.
struct InboundMessageRecord {
    std::int64_t uid = 0;
    std::string kind;                    // reply, hard_bounce, soft_bounce, auto_reply, unrelated
    std::string rfc_message_id;          // its own Message-ID, or "sha256:..." for one without
    std::vector<std::string> refers_to;  // ids that may name our outbound message
    std::string counterpart_email;       // else the recent recipient to look for
    std::string from_email, to_email, subject, body_text, in_reply_to;
    std::string status, diagnostic, reason;
    std::optional<std::string> return_date;  // YYYY-MM-DD
    std::int64_t received_micros = 0;
};

struct FolderBatch {
    std::string folder;
    std::int64_t uidvalidity = 0, last_uid = 0;  // the cursor after the batch
    std::vector<InboundMessageRecord> messages;
};

struct InboundRecordResult {
    std::string kind;        // as recorded; "unrelated" when it matched none of our emails
    bool duplicate = false;  // seen before for this mailbox: nothing done again
    EffectResult effect;
};

struct InboundStateUpdate {
    std::string mode;                  // connecting, idle, polling, error, stopped
    std::optional<std::string> error;  // set: a failure (counted); unset: a good poll
};

class InboundStore {
  public:
    explicit InboundStore(pqxx::connection& connection) : connection_(connection) {}

    // Mailboxes to read (imap_url set, inbound_enabled) whose lease is free,
    // expired, or held by an instance whose heartbeat is older than
    // instance_timeout; up to `limit` in all including those already held
    // by `instance`, whose leases are renewed. Returns every mailbox
    // `instance` holds afterwards.
    std::vector<InboundMailboxRow> lease_mailboxes(const std::string& instance,
                                                   std::int64_t now_micros, int lease_seconds,
                                                   int instance_timeout_seconds, int limit);
    // Gives back every lease `instance` holds (a clean stop), mode stopped.
    int release_mailboxes(const std::string& instance);
    std::vector<FolderCursorRow> cursors(const std::string& organisation_id,
                                         const std::string& mailbox_id);
    // One transaction: every message's event and effects, then the cursor.
    // Returns nothing (and writes nothing) when `instance` no longer holds
    // the mailbox's lease.
    std::optional<std::vector<InboundRecordResult>> record_folder_batch(
        const InboundMailboxRow& mailbox, const FolderBatch& batch, const std::string& instance,
        std::int64_t now_micros, const EffectSettings& settings);
    void report_state(const std::string& organisation_id, const std::string& mailbox_id,
                      const InboundStateUpdate& update, std::int64_t now_micros);

  private:
    pqxx::connection& connection_;
};

}  // namespace pf::db
