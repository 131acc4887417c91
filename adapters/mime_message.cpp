#include "adapters/mime_message.hpp"

#include <date/date.h>
#include <openssl/evp.h>

namespace pf::adapters {
namespace {

std::string base64(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()),
                                  static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool plain_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x7F || (c < 0x20 && c != '\t')) return false;
    return true;
}

// Splits UTF-8 text into chunks of at most `max` bytes without cutting a
// character, so each encoded word decodes on its own (RFC 2047 section 5).
std::string encode_words(std::string_view value) {
    constexpr std::size_t kMaxChunk = 45;  // 60 base64 chars + 12 of wrapping < 75
    std::string out;
    std::size_t pos = 0;
    while (pos < value.size()) {
        std::size_t end = std::min(value.size(), pos + kMaxChunk);
        while (end < value.size() && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(value.substr(pos, end - pos)) + "?=";
        pos = end;
    }
    return out;
}

std::string rfc5322_date(std::chrono::sys_seconds t) {
    return date::format("%a, %d %b %Y %H:%M:%S +0000", t);
}

}  // namespace

std::string encode_header_words(const std::string& value) {
    return plain_ascii(value) ? value : encode_words(value);
}

std::string build_mime(const MimeFields& f) {
    std::string m;
    m += "Date: " + rfc5322_date(f.date) + "\r\n";
    if (f.from_name.empty()) {
        m += "From: <" + f.from_email + ">\r\n";
    } else if (plain_ascii(f.from_name)) {
        std::string quoted;
        for (char c : f.from_name) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        m += "From: \"" + quoted + "\" <" + f.from_email + ">\r\n";
    } else {
        m += "From: " + encode_words(f.from_name) + " <" + f.from_email + ">\r\n";
    }
    m += "To: <" + f.to_email + ">\r\n";
    if (!f.reply_to.empty()) m += "Reply-To: <" + f.reply_to + ">\r\n";
    m += "Subject: " + encode_header_words(f.subject) + "\r\n";
    m += "Message-ID: <" + f.message_id + ">\r\n";
    if (f.in_reply_to) {
        m += "In-Reply-To: <" + *f.in_reply_to + ">\r\n";
        m += "References: <" + *f.in_reply_to + ">\r\n";
    }
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=utf-8\r\n";
    m += "Content-Transfer-Encoding: base64\r\n\r\n";
    const auto body = base64(f.body_text);
    for (std::size_t i = 0; i < body.size(); i += 76) m += body.substr(i, 76) + "\r\n";
    return m;
}

}  // namespace pf::adapters
