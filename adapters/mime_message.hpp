#pragma once
// RFC 5322 messages built with GMime: Date, From with display name, To,
// Reply-To, Subject, Message-ID, threading (In-Reply-To, References), List-
// Unsubscribe with One-Click (RFC 8058), and a body that is text/plain alone
// or multipart/alternative with text/html, quoted-printable UTF-8. Non-ASCII
// subjects and display names become RFC 2047 encoded words; long headers are
// folded; lines end in CRLF.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pf::adapters {

struct MimeFields {
    std::string from_email, from_name, to_email, reply_to;
    std::string subject, body_text;
    std::optional<std::string> body_html;
    std::string message_id;  // without angle brackets
    std::optional<std::string> in_reply_to;  // without angle brackets
    std::vector<std::string> references;     // without angle brackets, oldest first
    std::optional<std::string> unsubscribe_url;     // https one-click (RFC 8058)
    std::optional<std::string> unsubscribe_mailto;  // mailto: address
    std::chrono::sys_seconds date{};
};

std::string build_mime(const MimeFields& fields);

}  // namespace pf::adapters
