#pragma once
// The facts of one inbound message that classification needs, read with
// GMime from the raw bytes: ids for threading, the sender, automatic-reply
// headers (RFC 3834 and the vendors' own), list headers, the RFC 3464
// delivery-status fields of a bounce and the Message-IDs of the original it
// carries, and the text (decoded to UTF-8, HTML reduced to text).
// No decision is taken here: scheduler/inbound_classification decides.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pf::adapters {

// One per-recipient block of a message/delivery-status part (RFC 3464).
struct DeliveryStatusField {
    std::string final_recipient;  // the address, without "rfc822;"
    std::string action;           // failed, delayed, delivered, relayed, expanded (lowercase)
    std::string status;           // like 5.1.1
    std::string diagnostic;       // Diagnostic-Code, without its type
};

struct InboundFacts {
    std::string message_id;                // without <>; empty when absent
    std::vector<std::string> in_reply_to;  // ids without <>
    std::vector<std::string> references;   // ids without <>, oldest first
    std::string from_email, from_name;     // from_email lowercased
    std::string to_email;                  // the first To address, lowercased
    std::string subject;                   // decoded (RFC 2047) to UTF-8
    std::optional<std::int64_t> date_unix; // the Date header
    std::string return_path;               // without <>, lowercased; "" for <>
    bool return_path_null = false;         // Return-Path: <> (bounces, RFC 3834 replies)
    // Automatic-message headers, values as written (trimmed), empty if absent.
    std::string auto_submitted, x_autoreply, x_autorespond, precedence, x_auto_response_suppress;
    bool has_list_headers = false;  // List-Id or List-Unsubscribe (a newsletter, a list)
    // multipart/report; report-type=delivery-status
    bool is_delivery_report = false;
    std::vector<DeliveryStatusField> delivery;
    // Message-IDs of the original message a bounce carries: from an attached
    // message/rfc822 or text/rfc822-headers part, else "Message-ID:" lines
    // quoted in the text. Without <>.
    std::vector<std::string> original_message_ids;
    std::string original_to;  // the To of that attached original, lowercased
    // The readable text: the first text/plain part, else text/html reduced to
    // text, decoded to UTF-8; at most 64 KiB.
    std::string text;
};

// Never throws for a malformed message: what cannot be read stays empty.
InboundFacts parse_inbound(std::string_view raw);

}  // namespace pf::adapters
