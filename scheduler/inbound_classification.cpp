// classify_inbound: bounce first (an RFC 3464 report, else the wording of
// the common MTAs' plain bounces), then list mail, then automatic replies
// (RFC 3834 and the vendors' headers and subjects), else a personal reply.
// Pure string work over the parser's facts.

#include "scheduler/inbound_classification.hpp"

#include <algorithm>
#include <cctype>

namespace pf::scheduler {
namespace {

using adapters::DeliveryStatusField;
using adapters::InboundFacts;

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool contains_any(std::string_view haystack, std::initializer_list<const char*> needles) {
    for (const char* n : needles)
        if (haystack.find(n) != std::string_view::npos) return true;
    return false;
}

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// ---- status codes in text ------------------------------------------------

// "5.1.1" at i (RFC 3463): class 4 or 5, a subject 0-7, a detail of 1-3
// digits, not inside a longer dotted number (an IP address, "Exim 4.96.2").
std::size_t enhanced_status_length(std::string_view s, std::size_t i) {
    if ((s[i] != '4' && s[i] != '5') || (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.')))
        return 0;
    if (i + 4 >= s.size() || s[i + 1] != '.' || s[i + 2] < '0' || s[i + 2] > '7' || s[i + 3] != '.')
        return 0;
    std::size_t j = i + 4;
    while (j < s.size() && is_digit(s[j]) && j - (i + 4) < 3) ++j;
    if (j == i + 4) return 0;
    if (j < s.size() && (is_digit(s[j]) || (s[j] == '.' && j + 1 < s.size() && is_digit(s[j + 1]))))
        return 0;
    return j - i;
}

// A bare SMTP reply code ("550 ", "452-") at i.
bool is_smtp_code(std::string_view s, std::size_t i) {
    if (i + 3 >= s.size() || (s[i] != '4' && s[i] != '5')) return false;
    if (!is_digit(s[i + 1]) || !is_digit(s[i + 2]) || s[i + 1] > '5') return false;
    if (i > 0 && std::isalnum(static_cast<unsigned char>(s[i - 1]))) return false;
    return s[i + 3] == ' ' || s[i + 3] == '-';
}

// The status a plain-text bounce gives: "550 5.1.1", "#5.1.1", "5.1.1", or
// a bare SMTP code read as 5.0.0 / 4.0.0. Empty when none.
std::string status_in_text(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i)
        if (const std::size_t n = enhanced_status_length(text, i))
            return std::string(text.substr(i, n));
    for (std::size_t i = 0; i < text.size(); ++i)
        if (is_smtp_code(text, i)) return std::string(1, text[i]) + ".0.0";
    return {};
}

// The line around the status, as the remote server's words.
std::string line_with(std::string_view text, std::string_view needle) {
    const std::size_t at = needle.empty() ? std::string_view::npos : text.find(needle);
    if (at == std::string_view::npos) return {};
    const std::size_t start = text.rfind('\n', at);
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start == std::string_view::npos ? 0 : start + 1,
                                 end - (start == std::string_view::npos ? 0 : start + 1)));
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    return line.substr(0, 300);
}

// ---- the failed recipient in text ----------------------------------------

// The address in a token such as "<bob@example.org>:" or "rfc822;bob@x".
std::string address_in(std::string_view s) {
    const std::size_t at = s.find('@');
    if (at == std::string_view::npos) return {};
    const auto is_addr = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("._%+-'=").find(c) != std::string_view::npos;
    };
    std::size_t start = at, end = at + 1;
    while (start > 0 && is_addr(s[start - 1])) --start;
    while (end < s.size() && is_addr(s[end])) ++end;
    while (end > at + 1 && s[end - 1] == '.') --end;  // the end of a sentence
    if (start == at || end == at + 1) return {};
    return lowercase(s.substr(start, end - start));
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        lines.push_back(text.substr(pos, eol - pos));
        pos = eol + 1;
    }
    return lines;
}

// qmail's "<bob@example.org>:", "Final-Recipient: rfc822; bob@...", Exim's
// "The following address(es) failed:" and the address on the next line.
std::string failed_recipient_in_text(std::string_view text) {
    const auto lines = lines_of(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string line = lowercase(lines[i]);
        const auto first = line.find_first_not_of(" \t");
        if (first != std::string::npos && line[first] == '<' &&
            line.find(">:") != std::string::npos)
            return address_in(line);
        if (contains_any(line, {"final-recipient:", "original-recipient:", "failed recipient:"}))
            return address_in(line);
        if (contains_any(line, {"following address(es) failed", "following recipient",
                                "could not be delivered to"}))
            for (std::size_t j = i; j < lines.size() && j < i + 4; ++j)
                if (auto a = address_in(lines[j]); !a.empty()) return a;
    }
    return {};
}

InboundClassification unrelated(std::string reason) {
    InboundClassification c;
    c.reason = std::move(reason);
    return c;
}

// ---- bounces -------------------------------------------------------------

bool from_mailer_address(const InboundFacts& f) {
    const std::string local = f.from_email.substr(0, f.from_email.find('@'));
    return local == "mailer-daemon" || local == "postmaster" || local == "mail-daemon";
}

// A mailer's address, or the null sender bounces are sent with (RFC 5321 4.5.5).
bool from_mailer(const InboundFacts& f) {
    return from_mailer_address(f) || f.return_path_null || f.from_email.empty();
}

bool bounce_wording(const std::string& subject, const std::string& text) {
    const std::initializer_list<const char*> words = {
        "undelivered mail returned to sender",
        "delivery status notification",
        "undeliverable",
        "mail delivery failed",
        "failure notice",
        "non remis",
        "returned mail",
        "wasn't able to deliver",
        "was not able to deliver",
        "delivery has failed",
        "created automatically by mail delivery software",
        "permanent error",
        "temporary failure",
        "will retry",
        "delivery failure",
        "could not be delivered",
        "delayed mail"};
    return contains_any(subject, words) || contains_any(text, words);
}

InboundClassification bounce(InboundKind kind, const InboundFacts& f, std::string recipient) {
    InboundClassification c;
    c.kind = kind;
    c.refers_to = f.original_message_ids;
    c.counterpart_email = recipient.empty() ? f.original_to : std::move(recipient);
    return c;
}

// The Status field, else the code in Diagnostic-Code, else what the Action
// implies: a failure without a code is taken as permanent.
std::string effective_status(const DeliveryStatusField& field) {
    if (!field.status.empty()) return field.status;
    if (std::string code = status_in_text(field.diagnostic); !code.empty()) return code;
    if (field.action == "failed") return "5.0.0";
    if (field.action == "delayed") return "4.0.0";
    return {};
}

bool is_hard(const DeliveryStatusField& field) {
    return field.action == "failed" && effective_status(field).rfind('5', 0) == 0;
}

bool is_soft(const DeliveryStatusField& field) {
    return field.action == "delayed" ||
           (field.action == "failed" && effective_status(field).rfind('4', 0) == 0);
}

// RFC 3464: a failed 5.x.x is permanent; a 4.x.x, or any "delayed" (even
// one that carries a 5.x.x status), is temporary. One hard recipient makes
// the whole report hard.
std::optional<InboundClassification> from_report(const InboundFacts& f) {
    if (!f.is_delivery_report || f.delivery.empty()) return std::nullopt;
    auto field = std::find_if(f.delivery.begin(), f.delivery.end(), is_hard);
    const bool hard = field != f.delivery.end();
    if (!hard) field = std::find_if(f.delivery.begin(), f.delivery.end(), is_soft);
    if (field == f.delivery.end()) return unrelated("RFC 3464 report without a failure");
    auto c = bounce(hard ? InboundKind::hard_bounce : InboundKind::soft_bounce, f,
                    field->final_recipient);
    c.status = effective_status(*field);
    c.diagnostic = field->diagnostic;
    c.reason = "RFC 3464 report, " + c.status + " " + field->action;
    return c;
}

bool permanent_wording(const std::string& text) {
    return contains_any(text, {"permanent", "does not exist", "unknown user", "user unknown",
                               "no such user", "failed"});
}

std::optional<InboundClassification> from_bounce_text(const InboundFacts& f) {
    const std::string subject = lowercase(f.subject), text = lowercase(f.text);
    if (!from_mailer(f) || !bounce_wording(subject, text)) return std::nullopt;
    std::string status = status_in_text(f.text);
    if (status.empty()) status = permanent_wording(text) ? "5.0.0" : "4.0.0";
    const auto kind = status[0] == '5' ? InboundKind::hard_bounce : InboundKind::soft_bounce;
    auto c = bounce(kind, f, failed_recipient_in_text(f.text));
    c.status = status;
    c.diagnostic = line_with(f.text, status.substr(1, 4) == ".0.0" ? std::string_view() : status);
    c.reason = "bounce text from " + (f.from_email.empty() ? std::string("<>") : f.from_email) +
               ", " + status;
    return c;
}

// ---- automatic replies ---------------------------------------------------

// Which header or subject makes it automatic; empty when none does.
std::string automatic_marker(const InboundFacts& f) {
    const std::string auto_submitted = lowercase(f.auto_submitted);
    if (!auto_submitted.empty() && auto_submitted != "no")
        return "Auto-Submitted: " + f.auto_submitted;
    if (!f.x_autoreply.empty()) return "X-Autoreply";
    if (!f.x_autorespond.empty()) return "X-Autorespond";
    const std::string precedence = lowercase(f.precedence);
    if (precedence == "auto_reply" || precedence == "bulk" || precedence == "junk")
        return "Precedence: " + f.precedence;
    if (!f.x_auto_response_suppress.empty()) return "X-Auto-Response-Suppress";
    const std::string subject = lowercase(f.subject);
    for (const char* prefix : {"absence", "auto:", "autoreply", "auto-reply", "out of office"})
        if (subject.rfind(prefix, 0) == 0) return "subject";
    if (contains_any(subject, {"réponse automatique", "reponse automatique", "automatic reply",
                               "out of office", "abwesenheitsnotiz", "autoreply", "auto-reply",
                               "absent du bureau", "out of the office"}))
        return "subject";
    return {};
}

// In-Reply-To, then References newest first.
std::vector<std::string> thread_ids(const InboundFacts& f) {
    std::vector<std::string> ids = f.in_reply_to;
    for (auto it = f.references.rbegin(); it != f.references.rend(); ++it)
        if (std::find(ids.begin(), ids.end(), *it) == ids.end()) ids.push_back(*it);
    return ids;
}

InboundClassification personal(InboundKind kind, const InboundFacts& f, std::string reason) {
    InboundClassification c;
    c.kind = kind;
    c.refers_to = thread_ids(f);
    c.counterpart_email = f.from_email;
    c.reason = std::move(reason);
    return c;
}

}  // namespace

const char* to_string(InboundKind kind) {
    switch (kind) {
        case InboundKind::reply:
            return "reply";
        case InboundKind::hard_bounce:
            return "hard_bounce";
        case InboundKind::soft_bounce:
            return "soft_bounce";
        case InboundKind::auto_reply:
            return "auto_reply";
        case InboundKind::unrelated:
            return "unrelated";
    }
    return "unrelated";
}

InboundClassification classify_inbound(const adapters::InboundFacts& facts,
                                       date::sys_days received) {
    if (auto c = from_report(facts)) return *c;
    if (auto c = from_bounce_text(facts)) return *c;
    // A list or newsletter that answers nothing of ours, whatever its Precedence.
    if (facts.has_list_headers && facts.in_reply_to.empty() && facts.references.empty())
        return unrelated("list mail (List-Id/List-Unsubscribe) without threading headers");
    if (from_mailer_address(facts))
        return unrelated("from " + facts.from_email + ", not a bounce we can read");
    if (const std::string marker = automatic_marker(facts); !marker.empty()) {
        auto c = personal(InboundKind::auto_reply, facts, "automatic reply (" + marker + ")");
        c.return_date = find_return_date(facts.subject + "\n" + facts.text, received);
        return c;
    }
    // A null sender is a machine (RFC 3834 replies were caught above), not a person.
    if (from_mailer(facts)) return unrelated("null sender or no From, not a person");
    return personal(InboundKind::reply, facts, "personal message");
}

}  // namespace pf::scheduler
