#include "adapters/inbound_parser.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "adapters/gmime_support.hpp"

namespace pf::adapters {
namespace {

constexpr std::size_t max_text_bytes = 64 * 1024;
// Deeper nesting than this is no real mail; stopping keeps recursion bounded.
constexpr int max_part_depth = 32;

std::string lowercase(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(std::string_view s) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::string strip_angles(std::string s) {
    s = trim(s);
    if (!s.empty() && s.front() == '<') s.erase(0, 1);
    if (!s.empty() && s.back() == '>') s.pop_back();
    return trim(s);
}

// Cut at a character boundary so the text stays valid UTF-8.
void truncate_utf8(std::string& s, std::size_t max) {
    if (s.size() <= max) return;
    std::size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
}

std::string header(GMimeObject* object, const char* name) {
    const char* value = g_mime_object_get_header(object, name);
    return value ? trim(value) : std::string();
}

std::vector<std::string> message_ids(const std::string& value) {
    std::vector<std::string> ids;
    if (value.empty()) return ids;
    GMimeReferences* refs = g_mime_references_parse(nullptr, value.c_str());
    if (!refs) return ids;
    for (int i = 0; i < g_mime_references_length(refs); ++i)
        ids.emplace_back(g_mime_references_get_message_id(refs, i));
    g_mime_references_free(refs);
    return ids;
}

// The first mailbox of a list, looking inside groups.
InternetAddressMailbox* first_mailbox(InternetAddressList* list, int depth = 0) {
    if (!list || depth > 2) return nullptr;
    for (int i = 0; i < internet_address_list_length(list); ++i) {
        InternetAddress* address = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(address)) return INTERNET_ADDRESS_MAILBOX(address);
        if (INTERNET_ADDRESS_IS_GROUP(address)) {
            auto* members = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address));
            if (auto* found = first_mailbox(members, depth + 1)) return found;
        }
    }
    return nullptr;
}

std::string mailbox_addr(InternetAddressMailbox* mailbox) {
    const char* addr = mailbox ? internet_address_mailbox_get_addr(mailbox) : nullptr;
    return addr ? lowercase(trim(addr)) : std::string();
}

// The part's content with its transfer encoding undone, charset untouched.
std::string decoded_content(GMimePart* part) {
    GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
    if (!wrapper) return {};
    GPtr<GMimeStream> out(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(wrapper, out.get());
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
    if (!bytes || !bytes->data) return {};
    return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

std::string text_of(GMimeTextPart* part) {
    GOwnedString text(g_mime_text_part_get_text(part));
    return text ? std::string(text.get()) : std::string();
}

GPtr<GMimeMessage> parse_message(std::string_view raw) {
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    return GPtr<GMimeMessage>(g_mime_parser_construct_message(parser.get(), nullptr));
}

// ---- HTML reduced to text -------------------------------------------------

void append_utf8(std::string& out, unsigned long cp) {
    if (cp == 0 || cp > 0x10FFFF) return;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// The entity at html[i] ('&'), appended to out; returns the index after it.
std::size_t decode_entity(std::string_view html, std::size_t i, std::string& out) {
    const std::size_t end = html.find(';', i);
    if (end == std::string_view::npos || end - i > 10) {
        out += '&';
        return i + 1;
    }
    const std::string name(html.substr(i + 1, end - i - 1));
    static const std::pair<const char*, unsigned long> named[] = {
        {"nbsp", 0xA0},    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},
        {"quot", '"'},     {"apos", '\''},    {"eacute", 0xE9},  {"egrave", 0xE8},
        {"ecirc", 0xEA},   {"agrave", 0xE0},  {"acirc", 0xE2},   {"ccedil", 0xE7},
        {"ocirc", 0xF4},   {"ucirc", 0xFB},   {"ugrave", 0xF9},  {"icirc", 0xEE},
        {"iuml", 0xEF},    {"euml", 0xEB},    {"Eacute", 0xC9},  {"rsquo", 0x2019},
        {"lsquo", 0x2018}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"hellip", 0x2026},
        {"ndash", 0x2013}, {"mdash", 0x2014}, {"euro", 0x20AC},  {"copy", 0xA9}};
    unsigned long cp = 0;
    if (name.size() > 1 && name[0] == '#') {
        const bool hex = name[1] == 'x' || name[1] == 'X';
        cp = std::strtoul(name.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10);
    } else {
        for (const auto& [n, c] : named)
            if (name == n) cp = c;
    }
    if (cp == 0) {
        out += '&';
        return i + 1;
    }
    append_utf8(out, cp);
    return end + 1;
}

// "/div class=x" → "div".
std::string tag_name(std::string_view tag) {
    std::size_t i = tag.empty() || tag[0] != '/' ? 0 : 1;
    std::string name;
    while (i < tag.size() && std::isalnum(static_cast<unsigned char>(tag[i])) && name.size() < 10)
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(tag[i++])));
    return name;
}

bool breaks_line(const std::string& name) {
    for (const char* b : {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"})
        if (name == b) return true;
    return false;
}

std::size_t find_ci(std::string_view haystack, std::string_view needle, std::size_t from) {
    const auto it = std::search(haystack.begin() + static_cast<std::ptrdiff_t>(from),
                                haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
                                    return std::tolower(static_cast<unsigned char>(a)) ==
                                           std::tolower(static_cast<unsigned char>(b));
                                });
    return it == haystack.end() ? std::string_view::npos
                                : static_cast<std::size_t>(it - haystack.begin());
}

std::string html_to_text(std::string_view html) {
    std::string out;
    std::size_t i = 0;
    while (i < html.size() && out.size() < max_text_bytes) {
        const char c = html[i];
        if (c == '<') {
            const std::size_t close = html.find('>', i);
            if (close == std::string_view::npos) break;
            const std::string_view tag = html.substr(i + 1, close - i - 1);
            const std::string name = tag_name(tag);
            i = close + 1;
            // Style sheets, scripts and the head are not text.
            if (!tag.empty() && tag[0] != '/' &&
                (name == "style" || name == "script" || name == "head")) {
                const std::size_t end = find_ci(html, "</" + name, i);
                i = end == std::string_view::npos ? html.size() : end;
            }
            if (breaks_line(name)) out += '\n';
        } else if (c == '&') {
            i = decode_entity(html, i, out);
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

// ---- multipart/report ----------------------------------------------------

// Header lines of one block, continuation lines joined.
std::vector<std::pair<std::string, std::string>> header_lines(std::string_view block) {
    std::vector<std::pair<std::string, std::string>> fields;
    std::size_t pos = 0;
    while (pos < block.size()) {
        std::size_t eol = block.find('\n', pos);
        if (eol == std::string_view::npos) eol = block.size();
        std::string line(block.substr(pos, eol - pos));
        pos = eol + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            if (!fields.empty()) fields.back().second += " " + trim(line);
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        fields.emplace_back(lowercase(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
    }
    return fields;
}

// Blocks separated by blank lines (RFC 3464 section 2.1).
std::vector<std::string> blank_line_blocks(std::string_view text) {
    std::vector<std::string> blocks;
    std::string current;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        const std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (trim(line).empty()) {
            if (!current.empty()) blocks.push_back(std::move(current));
            current.clear();
        } else {
            current.append(line).append("\n");
        }
    }
    if (!current.empty()) blocks.push_back(std::move(current));
    return blocks;
}

// "rfc822; bob@example.org" → "bob@example.org"; "smtp; 550 ..." → "550 ...".
std::string after_type(const std::string& value) {
    const auto semi = value.find(';');
    return trim(semi == std::string::npos ? value : value.substr(semi + 1));
}

std::string first_word(const std::string& value) {
    const auto end = value.find_first_of(" \t(");
    return lowercase(trim(value.substr(0, end)));
}

std::vector<DeliveryStatusField> delivery_fields(std::string_view body) {
    std::vector<DeliveryStatusField> fields;
    for (const auto& block : blank_line_blocks(body)) {
        DeliveryStatusField field;
        bool per_recipient = false;
        for (const auto& [name, value] : header_lines(block)) {
            if (name == "final-recipient")
                field.final_recipient = lowercase(strip_angles(after_type(value)));
            else if (name == "action")
                field.action = first_word(value);
            else if (name == "status")
                field.status = first_word(value);
            else if (name == "diagnostic-code")
                field.diagnostic = after_type(value);
            else
                continue;
            per_recipient = true;
        }
        if (per_recipient) fields.push_back(std::move(field));
    }
    return fields;
}

void read_original_headers(GMimeMessage* original, InboundFacts& facts) {
    if (!original) return;
    if (const char* id = g_mime_message_get_message_id(original))
        if (*id) facts.original_message_ids.emplace_back(id);
    if (facts.original_to.empty())
        facts.original_to = mailbox_addr(first_mailbox(g_mime_message_get_to(original)));
}

// text/rfc822-headers: the original's header block alone.
void read_original_header_text(const std::string& headers, InboundFacts& facts) {
    GPtr<GMimeMessage> original = parse_message(headers + "\r\n\r\n");
    read_original_headers(original.get(), facts);
}

// Plain-text bounces (qmail, some Exim) quote the original in their text.
void quoted_original_ids(InboundFacts& facts) {
    for (const auto& [name, value] : header_lines(facts.text)) {
        if (name == "message-id") {
            for (auto& id : message_ids(value)) facts.original_message_ids.push_back(std::move(id));
        } else if (name == "to" && facts.original_to.empty()) {
            GPtr<InternetAddressList> list(internet_address_list_parse(nullptr, value.c_str()));
            facts.original_to = mailbox_addr(first_mailbox(list.get()));
        }
    }
    if (facts.original_message_ids.empty()) facts.original_to.clear();
}

// ---- the walk over the parts --------------------------------------------

struct Walk {
    InboundFacts& facts;
    std::string html;  // the first text/html, used when there is no text/plain
    bool have_plain = false;
};

void visit(GMimeObject* object, Walk& walk, int depth);

void visit_leaf(GMimePart* part, Walk& walk) {
    GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(part));
    // RFC 6533's global-* forms are the same with UTF-8 allowed.
    if (g_mime_content_type_is_type(type, "message", "delivery-status") ||
        g_mime_content_type_is_type(type, "message", "global-delivery-status")) {
        for (auto& f : delivery_fields(decoded_content(part)))
            walk.facts.delivery.push_back(std::move(f));
    } else if (g_mime_content_type_is_type(type, "text", "rfc822-headers") ||
               g_mime_content_type_is_type(type, "message", "global-headers")) {
        read_original_header_text(decoded_content(part), walk.facts);
    } else if (GMIME_IS_TEXT_PART(part) && !g_mime_part_is_attachment(part)) {
        if (g_mime_content_type_is_type(type, "text", "plain") && !walk.have_plain) {
            walk.facts.text = text_of(GMIME_TEXT_PART(part));
            walk.have_plain = true;
        } else if (g_mime_content_type_is_type(type, "text", "html") && walk.html.empty()) {
            walk.html = text_of(GMIME_TEXT_PART(part));
        }
    }
}

void visit(GMimeObject* object, Walk& walk, int depth) {
    if (!object || depth > max_part_depth) return;
    if (GMIME_IS_MULTIPART(object)) {
        auto* multipart = GMIME_MULTIPART(object);
        for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i)
            visit(g_mime_multipart_get_part(multipart, i), walk, depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        // The attached original: its ids, not its text.
        read_original_headers(g_mime_message_part_get_message(GMIME_MESSAGE_PART(object)),
                              walk.facts);
    } else if (GMIME_IS_PART(object)) {
        visit_leaf(GMIME_PART(object), walk);
    }
}

void read_body(GMimeMessage* message, InboundFacts& facts) {
    GMimeObject* body = g_mime_message_get_mime_part(message);
    if (!body) return;
    GMimeContentType* type = g_mime_object_get_content_type(body);
    const char* report_type = g_mime_content_type_get_parameter(type, "report-type");
    const std::string report = report_type ? lowercase(report_type) : std::string();
    facts.is_delivery_report = g_mime_content_type_is_type(type, "multipart", "report") &&
                               (report == "delivery-status" || report == "global-delivery-status");
    Walk walk{facts, {}, false};
    visit(body, walk, 0);
    if (!walk.have_plain && !walk.html.empty()) facts.text = html_to_text(walk.html);
    truncate_utf8(facts.text, max_text_bytes);
    if (facts.original_message_ids.empty()) quoted_original_ids(facts);
}

void read_sender(GMimeMessage* message, InboundFacts& facts) {
    InternetAddressMailbox* from = first_mailbox(g_mime_message_get_from(message));
    facts.from_email = mailbox_addr(from);
    if (from) {
        const char* name = internet_address_get_name(INTERNET_ADDRESS(from));
        facts.from_name = name ? trim(name) : std::string();
    }
    facts.to_email = mailbox_addr(first_mailbox(g_mime_message_get_to(message)));
    const std::string return_path = header(GMIME_OBJECT(message), "Return-Path");
    facts.return_path = lowercase(strip_angles(return_path));
    facts.return_path_null = !return_path.empty() && facts.return_path.empty();
}

void read_headers(GMimeMessage* message, InboundFacts& facts) {
    auto* object = GMIME_OBJECT(message);
    if (const char* id = g_mime_message_get_message_id(message)) facts.message_id = id;
    facts.in_reply_to = message_ids(header(object, "In-Reply-To"));
    facts.references = message_ids(header(object, "References"));
    if (const char* subject = g_mime_message_get_subject(message)) facts.subject = trim(subject);
    if (GDateTime* date = g_mime_message_get_date(message))
        facts.date_unix = g_date_time_to_unix(date);
    facts.auto_submitted = header(object, "Auto-Submitted");
    facts.x_autoreply = header(object, "X-Autoreply");
    facts.x_autorespond = header(object, "X-Autorespond");
    facts.precedence = header(object, "Precedence");
    facts.x_auto_response_suppress = header(object, "X-Auto-Response-Suppress");
    facts.has_list_headers = g_mime_object_get_header(object, "List-Id") ||
                             g_mime_object_get_header(object, "List-Unsubscribe");
}

}  // namespace

InboundFacts parse_inbound(std::string_view raw) {
    InboundFacts facts;
    if (raw.empty()) return facts;
    try {
        init_gmime();
        GPtr<GMimeMessage> message = parse_message(raw);
        if (!message) return facts;
        read_headers(message.get(), facts);
        read_sender(message.get(), facts);
        read_body(message.get(), facts);
    } catch (...) {
        // Only allocation can throw here; what was read so far is kept.
    }
    return facts;
}

}  // namespace pf::adapters
