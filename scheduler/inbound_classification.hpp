#pragma once
// What an inbound message is, from its facts alone (pure: no I/O). Whether
// it concerns one of our emails is the caller's question to the database:
// a reply or automatic reply must refer to one of our Message-IDs (or come
// from a recent recipient of the mailbox), a bounce must carry one of our
// Message-IDs (or name a recent recipient); anything else is unrelated.

#include <date/date.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/inbound_parser.hpp"

namespace pf::scheduler {

enum class InboundKind { reply, hard_bounce, soft_bounce, auto_reply, unrelated };
const char* to_string(InboundKind kind);

struct InboundClassification {
    InboundKind kind = InboundKind::unrelated;
    // Ids that may name our outbound message, most specific first: for a
    // bounce the original's Message-ID(s); for a reply or automatic reply
    // In-Reply-To, then References newest first.
    std::vector<std::string> refers_to;
    // The address to match against recent recipients when refers_to names
    // none of ours: the bounced recipient, or the replier's From.
    std::string counterpart_email;
    std::string status;      // bounces: the DSN status (5.1.1)
    std::string diagnostic;  // bounces: the remote server's words
    // Automatic replies: the return date the text gives, if any.
    std::optional<date::year_month_day> return_date;
    std::string reason;  // why, for logs and the inbound row: "RFC 3464 report, 5.1.1 failed"
};

// received: the day the message arrived (the mailbox's local date), which
// gives a return date without a year its year.
InboundClassification classify_inbound(const adapters::InboundFacts& facts, date::sys_days received);

// The return date an out-of-office text gives, French or English:
// "de retour le 12 mars", "jusqu'au 15/03", "back on March 12",
// "until 3/15", with or without a year, weekday names allowed. A date
// without a year is the first such date on or after received (minus a few
// days' slack for a text written before it was sent). nullopt when none.
std::optional<date::year_month_day> find_return_date(std::string_view text, date::sys_days received);

}  // namespace pf::scheduler
