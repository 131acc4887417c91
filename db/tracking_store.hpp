#pragma once
// The tracking listener's SQL: opens (batched), one-click unsubscribes, and
// inbound reply and bounce events matched to our outbound messages. Tokens
// and RFC Message-IDs are globally unique, so these lookups are the schema's
// documented exceptions to organisation-first keys; every write that follows
// is keyed by the organisation of the row found.

#include <cstdint>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace pf::db {

struct OpenCount {
    std::string token;
    int count = 0;
    std::int64_t first_micros = 0, last_micros = 0;
};

struct InboundReply {
    std::vector<std::string> refers_to;  // In-Reply-To and References ids, without <>
    std::string message_id;              // the reply's own Message-ID, without <>; may be empty
    std::string from_email, to_email, subject, body_text;
};

struct Bounce {
    std::string rfc_message_id;  // the bounced outbound message, without <>
    bool hard = true;
    std::string status;      // DSN status, like 5.1.1
    std::string diagnostic;  // the remote server's words
};

struct EventResult {
    bool matched = false;
    std::string organisation_id, enrollment_id, message_id;
};

class TrackingStore {
  public:
    explicit TrackingStore(pqxx::connection& connection) : connection_(connection) {}
    // Adds opens to tracking.message_open_stats; unknown tokens add nothing.
    // Returns how many tokens were known.
    std::size_t record_opens(const std::vector<OpenCount>& opens);
    // Ends the token's enrollment as unsubscribed and suppresses its address.
    EventResult unsubscribe(const std::string& token);
    EventResult record_reply(const InboundReply& reply);
    EventResult record_bounce(const Bounce& bounce);

  private:
    pqxx::connection& connection_;
};

}  // namespace pf::db
