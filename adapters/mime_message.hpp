#pragma once
// A minimal RFC 5322 message for the engine's text emails: UTF-8 subject and
// display name as RFC 2047 encoded words, base64 body, threading headers.
// (multipart/alternative, HTML, List-Unsubscribe and the pixel come with the
// email work.)

#include <chrono>
#include <optional>
#include <string>

namespace pf::adapters {

struct MimeFields {
    std::string from_email, from_name, to_email, reply_to;
    std::string subject, body_text;
    std::string message_id;  // without angle brackets
    std::optional<std::string> in_reply_to;
    std::chrono::sys_seconds date{};
};

std::string build_mime(const MimeFields& fields);

// RFC 2047 "B" encoded words for a header value when it is not plain ASCII.
std::string encode_header_words(const std::string& value);

}  // namespace pf::adapters
