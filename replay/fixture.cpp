#include "replay/fixture.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scheduler/send_window.hpp"
#include "scheduler/step_runner.hpp"

namespace pf::replay {
namespace {

using nlohmann::json;

const std::set<std::string> kEventTypes = {
    "reply", "bounce", "unsubscribe", "open", "pause", "resume", "adapter_failure",
    "mailbox_pause", "mailbox_resume"};

// A scripted adapter failure's outcome and its default reason: the email's
// (transient, permanent) or its sending mailbox's (authentication, connection).
const std::map<std::string, std::string> kFailureReasons = {
    {"transient", "451 4.3.0 scripted temporary failure"},
    {"permanent", "550 5.1.1 scripted permanent failure"},
    {"authentication", "535 5.7.8 scripted authentication failure"},
    {"connection", "scripted connection failure: connection refused"}};

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
    throw FixtureError(origin + ": " + what);
}

const json* member(const json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string text_of(const json& object, const char* key, const std::string& where,
                    const std::string& origin) {
    const auto* v = member(object, key);
    if (!v) return {};
    if (!v->is_string()) bad(origin, where + "." + key + " must be a string");
    return v->get<std::string>();
}

long long integer_of(const json& object, const char* key, long long fallback, long long low,
                     long long high, const std::string& where, const std::string& origin) {
    const auto* v = member(object, key);
    if (!v) return fallback;
    if (!v->is_number_integer()) bad(origin, where + "." + key + " must be an integer");
    const auto n = v->get<long long>();
    if (n < low || n > high)
        bad(origin, where + "." + key + " must be between " + std::to_string(low) + " and " +
                        std::to_string(high) + ", not " + std::to_string(n));
    return n;
}

scheduler::TimePoint time_of(const json& value, const std::string& where,
                             const std::string& origin) {
    if (!value.is_string()) bad(origin, where + " must be an RFC 3339 time string");
    try {
        return parse_time(value.get<std::string>());
    } catch (const std::invalid_argument& e) {
        bad(origin, where + ": " + e.what());
    }
}

void parse_settings(const json& r, Fixture& f, const std::string& origin) {
    static const std::set<std::string> known = {"from",
                                                "until",
                                                "seed",
                                                "batch_size",
                                                "in_flight_chunk",
                                                "retry_base_ms",
                                                "retry_max_ms",
                                                "spacing_min_ms",
                                                "spacing_max_ms",
                                                "unknown_outcome",
                                                "message_id_domain"};
    if (!r.is_object()) bad(origin, "replay must be an object");
    for (const auto& [key, value] : r.items())
        if (!known.count(key)) bad(origin, "replay." + key + " is not a setting");
    auto& s = f.settings;
    if (const auto* v = member(r, "from")) f.from = time_of(*v, "replay.from", origin);
    if (const auto* v = member(r, "until")) {
        if (!v->is_string()) bad(origin, "replay.until must be a time or a duration string");
        const auto text = v->get<std::string>();
        try {
            if (text.find('T') != std::string::npos)
                f.until = parse_time(text);
            else
                f.duration = parse_duration(text);
        } catch (const std::invalid_argument& e) {
            bad(origin, std::string("replay.until: ") + e.what());
        }
    }
    s.seed = static_cast<std::uint64_t>(
        integer_of(r, "seed", 1, 0, std::numeric_limits<long long>::max(), "replay", origin));
    s.batch_size = static_cast<int>(integer_of(r, "batch_size", 100, 1, 10000, "replay", origin));
    s.in_flight_chunk =
        static_cast<int>(integer_of(r, "in_flight_chunk", 20, 1, 10000, "replay", origin));
    s.retry_base = std::chrono::milliseconds(
        integer_of(r, "retry_base_ms", 30000, 1, 86400000LL * 30, "replay", origin));
    s.retry_max = std::chrono::milliseconds(
        integer_of(r, "retry_max_ms", 3600000, 1, 86400000LL * 30, "replay", origin));
    s.spacing_min = std::chrono::milliseconds(
        integer_of(r, "spacing_min_ms", 1000, 0, 86400000, "replay", origin));
    s.spacing_max = std::chrono::milliseconds(
        integer_of(r, "spacing_max_ms", 4000, 0, 86400000, "replay", origin));
    if (s.spacing_min > s.spacing_max)
        bad(origin, "replay.spacing_min_ms must not exceed replay.spacing_max_ms");
    const auto unknown = text_of(r, "unknown_outcome", "replay", origin);
    if (!unknown.empty() && unknown != "hold" && unknown != "resend")
        bad(origin,
            "replay.unknown_outcome must be \"hold\" or \"resend\", not \"" + unknown + "\"");
    s.resend_unknown = unknown == "resend";
    s.message_id_domain = text_of(r, "message_id_domain", "replay", origin);
}

ScriptedEvent parse_event(const json& e, std::size_t index, const std::string& single_org,
                          const std::string& origin) {
    const auto where = "events[" + std::to_string(index) + "]";
    if (!e.is_object()) bad(origin, where + " must be an object");
    ScriptedEvent ev;
    ev.index = index;
    const auto* at = member(e, "at");
    if (!at) bad(origin, where + ".at is missing");
    ev.at = time_of(*at, where + ".at", origin);
    ev.type = text_of(e, "type", where, origin);
    if (!kEventTypes.count(ev.type))
        bad(origin, where + ".type \"" + ev.type +
                        "\" is not one of reply, bounce, unsubscribe, open, pause, resume, "
                        "adapter_failure, mailbox_pause, mailbox_resume");
    static const std::set<std::string> known = {
        "at",    "type",      "organisation_id", "enrollment_id", "campaign_id", "outcome",
        "count", "recipient", "reason",          "hard",          "note",        "from",
        "mailbox_id"};
    for (const auto& [key, value] : e.items())
        if (!known.count(key)) bad(origin, where + "." + key + " is not a field of an event");
    ev.organisation_id = text_of(e, "organisation_id", where, origin);
    if (ev.organisation_id.empty()) {
        if (single_org.empty())
            bad(origin,
                where + ".organisation_id is needed: the fixture has several organisations");
        ev.organisation_id = single_org;
    }
    ev.enrollment_id = text_of(e, "enrollment_id", where, origin);
    ev.campaign_id = text_of(e, "campaign_id", where, origin);
    ev.recipient = text_of(e, "recipient", where, origin);
    ev.from = text_of(e, "from", where, origin);
    ev.mailbox_id = text_of(e, "mailbox_id", where, origin);
    ev.reason = text_of(e, "reason", where, origin);
    if (const auto* h = member(e, "hard")) {
        if (!h->is_boolean()) bad(origin, where + ".hard must be true or false");
        ev.hard = h->get<bool>();
    }
    if (ev.type == "reply" || ev.type == "bounce" || ev.type == "unsubscribe" ||
        ev.type == "open") {
        if (ev.enrollment_id.empty()) bad(origin, where + " (" + ev.type + ") needs enrollment_id");
    } else if (ev.type == "pause" || ev.type == "resume") {
        if (ev.campaign_id.empty()) bad(origin, where + " (" + ev.type + ") needs campaign_id");
    } else if (ev.type == "mailbox_pause" || ev.type == "mailbox_resume") {
        if (ev.mailbox_id.empty()) bad(origin, where + " (" + ev.type + ") needs mailbox_id");
    } else {
        ev.outcome = text_of(e, "outcome", where, origin);
        if (ev.outcome.empty()) ev.outcome = "transient";
        if (!kFailureReasons.count(ev.outcome))
            bad(origin, where +
                            ".outcome must be \"transient\", \"permanent\", \"authentication\" "
                            "or \"connection\"");
        ev.count = static_cast<int>(integer_of(e, "count", 1, 1, 1000000, where, origin));
        if (ev.reason.empty()) ev.reason = kFailureReasons.at(ev.outcome);
    }
    return ev;
}

// HMAC-SHA256(key, kind + ":" + value) as lower-case hex.
std::string keyed_hash(const std::string& key, const std::string& kind, const std::string& value) {
    const std::string data = kind + ":" + value;
    std::array<unsigned char, 32> mac{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
    static const char* digits = "0123456789abcdef";
    std::string hex;
    for (unsigned i = 0; i < length; ++i) {
        hex += digits[mac[i] >> 4];
        hex += digits[mac[i] & 15];
    }
    return hex;
}

class Pseudonyms {
  public:
    explicit Pseudonyms(std::string key) : key_(std::move(key)) {}

    std::string first_name(const std::string& v) {
        static const std::array<const char*, 16> names = {
            "Alex", "Camille", "Dominique", "Sacha",  "Claude", "Morgan", "Charlie", "Lou",
            "Noa",  "Eden",    "Maxime",    "Andrea", "Robin",  "Jules",  "Ange",    "Yael"};
        return remember(v, std::string(names[pick(v, "first", names.size())]) + "-" +
                               keyed_hash(key_, "first", v).substr(0, 4));
    }
    std::string last_name(const std::string& v) {
        static const std::array<const char*, 16> names = {
            "Martin", "Bernard", "Thomas",  "Petit",    "Robert", "Richard", "Durand", "Leroy",
            "Moreau", "Simon",   "Laurent", "Lefebvre", "Michel", "Garcia",  "David",  "Bertrand"};
        return remember(v, std::string(names[pick(v, "last", names.size())]) + "-" +
                               keyed_hash(key_, "last", v).substr(0, 4));
    }
    std::string domain(const std::string& v) {
        return remember(v, "d" + keyed_hash(key_, "domain", lower(v)).substr(0, 10) + ".example");
    }
    std::string email(const std::string& v) {
        const auto at = v.rfind('@');
        const auto dom = at == std::string::npos ? std::string("invalid") : v.substr(at + 1);
        const auto pseudonym =
            "p" + keyed_hash(key_, "email", lower(v)).substr(0, 12) + "@" + domain(dom);
        remember(lower(v), pseudonym);
        return remember(v, pseudonym);
    }
    std::string company(const std::string& v) {
        return remember(v, "Entreprise " + keyed_hash(key_, "company", v).substr(0, 8));
    }
    std::string person_name(const std::string& v) {
        return remember(v, "Personne " + keyed_hash(key_, "person", v).substr(0, 8));
    }
    std::string siren(const std::string& v) {
        // Eight digits from the hash and a Luhn check digit, like a real SIREN.
        const auto h = keyed_hash(key_, "siren", v);
        std::string digits;
        for (std::size_t i = 0; digits.size() < 8; ++i)
            digits += static_cast<char>('0' + std::stoi(h.substr(i * 2, 2), nullptr, 16) % 10);
        for (int check = 0; check < 10; ++check) {
            const auto candidate = digits + static_cast<char>('0' + check);
            int sum = 0;
            for (int i = 0; i < 9; ++i) {
                int d = candidate[static_cast<std::size_t>(i)] - '0';
                if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
                sum += d;
            }
            if (sum % 10 == 0) return remember(v, candidate);
        }
        return remember(v, digits + "0");
    }
    std::string opaque(const std::string& kind, const std::string& v) {
        return remember(v, kind + "-" + keyed_hash(key_, kind, v).substr(0, 12));
    }

    // Every original value found in `text` replaced by its pseudonym,
    // longest first so that a full name goes before its parts.
    std::string scrub(std::string text) const {
        for (const auto& [original, pseudonym] : by_length_) {
            if (original.size() < 3) continue;
            for (auto pos = text.find(original); pos != std::string::npos;
                 pos = text.find(original, pos + pseudonym.size()))
                text.replace(pos, original.size(), pseudonym);
        }
        return text;
    }

  private:
    static std::string lower(std::string v) {
        std::transform(v.begin(), v.end(), v.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return v;
    }
    std::size_t pick(const std::string& v, const char* kind, std::size_t n) const {
        return std::stoul(keyed_hash(key_, kind, v).substr(0, 8), nullptr, 16) % n;
    }
    std::string remember(const std::string& original, std::string pseudonym) {
        if (!original.empty()) by_length_.emplace(original, pseudonym);
        return pseudonym;
    }
    struct LongestFirst {
        bool operator()(const std::string& a, const std::string& b) const {
            return a.size() != b.size() ? a.size() > b.size() : a < b;
        }
    };
    std::string key_;
    std::map<std::string, std::string, LongestFirst> by_length_;
};

void each_row(json& document, const char* table, const std::function<void(json&)>& f) {
    auto& tables = document["tables"];
    if (!tables.contains(table)) return;
    for (auto& row : tables[table]) f(row);
}

void replace_field(json& row, const char* column,
                   const std::function<std::string(const std::string&)>& f) {
    const auto it = row.find(column);
    if (it == row.end() || !it->is_string()) return;
    *it = f(it->get<std::string>());
}

}  // namespace

scheduler::TimePoint parse_time(const std::string& text) {
    // YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM), read strictly by hand
    // (date::parse trips GCC 12's maybe-uninitialized warning).
    const auto fail = [&]() -> scheduler::TimePoint {
        throw std::invalid_argument("\"" + text +
                                    "\" is not an RFC 3339 time like 2026-03-02T08:00:00Z");
    };
    const auto digits = [&](std::size_t pos, std::size_t n) {
        if (pos + n > text.size()) fail();
        int v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(text[i]))) fail();
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    const auto expect = [&](std::size_t pos, char c) {
        if (pos >= text.size() || (text[pos] != c && !(c == 'T' && text[pos] == 't'))) fail();
    };
    const int year = digits(0, 4);
    expect(4, '-');
    const int month = digits(5, 2);
    expect(7, '-');
    const int day = digits(8, 2);
    expect(10, 'T');
    const int hour = digits(11, 2);
    expect(13, ':');
    const int minute = digits(14, 2);
    expect(16, ':');
    const int second = digits(17, 2);
    std::size_t pos = 19;
    long long micros = 0;
    if (pos < text.size() && text[pos] == '.') {
        int n = 0;
        for (++pos; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]));
             ++pos, ++n)
            if (n < 6) micros = micros * 10 + (text[pos] - '0');
        if (n == 0) fail();
        for (; n < 6; ++n) micros *= 10;
    }
    int offset_minutes = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-') &&
               pos + 6 == text.size()) {
        const int sign = text[pos] == '-' ? -1 : 1;
        const int oh = digits(pos + 1, 2);
        expect(pos + 3, ':');
        const int om = digits(pos + 4, 2);
        if (oh > 23 || om > 59) fail();
        offset_minutes = sign * (oh * 60 + om);
    } else {
        fail();
    }
    const date::year_month_day ymd{date::year(year), date::month(static_cast<unsigned>(month)),
                                   date::day(static_cast<unsigned>(day))};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) fail();
    return scheduler::TimePoint(date::sys_days(ymd)) + std::chrono::hours(hour) +
           std::chrono::minutes(minute - offset_minutes) + std::chrono::seconds(second) +
           std::chrono::microseconds(micros);
}

std::chrono::microseconds parse_duration(const std::string& text) {
    // Longer than any replay needs, and far from where a count of
    // microseconds overflows (about 292,000 years), even once added to the
    // fixture's start: a longer duration is refused, not wrapped around.
    constexpr std::chrono::microseconds kMaxDuration = std::chrono::hours(24 * 36525);
    const auto too_long = [&] {
        throw std::invalid_argument("\"" + text + "\" is longer than 100 years");
    };
    std::chrono::microseconds total{0};
    std::size_t i = 0;
    if (text.empty()) throw std::invalid_argument("empty duration");
    while (i < text.size()) {
        std::size_t j = i;
        while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
        if (j == i || j == text.size())
            throw std::invalid_argument("\"" + text +
                                        "\" is not a duration like 14d, 36h, 90m, 45s or 1d12h");
        if (j - i > 15) too_long();  // std::stoll would throw out_of_range
        const long long n = std::stoll(text.substr(i, j - i));
        std::chrono::microseconds unit;
        switch (text[j]) {
            case 'd':
                unit = std::chrono::hours(24);
                break;
            case 'h':
                unit = std::chrono::hours(1);
                break;
            case 'm':
                unit = std::chrono::minutes(1);
                break;
            case 's':
                unit = std::chrono::seconds(1);
                break;
            default:
                throw std::invalid_argument("\"" + text + "\": unit '" + std::string(1, text[j]) +
                                            "' is not one of d, h, m, s");
        }
        if (n > (kMaxDuration - total) / unit) too_long();
        total += n * unit;
        i = j + 1;
    }
    return total;
}

std::string format_utc(scheduler::TimePoint t) {
    if (t.time_since_epoch() % std::chrono::seconds(1) == std::chrono::microseconds(0))
        return date::format("%FT%TZ", std::chrono::floor<std::chrono::seconds>(t));
    return date::format("%FT%TZ", t);
}

std::string format_local(scheduler::TimePoint t, const date::time_zone* zone) {
    if (!zone) return format_utc(t);
    if (t.time_since_epoch() % std::chrono::seconds(1) == std::chrono::microseconds(0))
        return date::format("%FT%T%Ez",
                            date::make_zoned(zone, std::chrono::floor<std::chrono::seconds>(t)));
    return date::format("%FT%T%Ez", date::make_zoned(zone, t));
}

Fixture parse_fixture(const std::string& text, const std::string& origin) {
    Fixture f;
    try {
        f.document = json::parse(text);
    } catch (const json::exception& e) {
        // Not only parse_error: a number too large for a double is an
        // out_of_range (406) thrown by the parser.
        bad(origin, std::string("not valid JSON: ") + e.what());
    }
    const auto& d = f.document;
    if (!d.is_object()) bad(origin, "a fixture is a JSON object");
    static const std::set<std::string> top = {"format", "version", "recorded_at", "source",
                                              "replay", "tables",  "events"};
    for (const auto& [key, value] : d.items())
        if (!top.count(key)) bad(origin, "\"" + key + "\" is not a fixture field");
    if (text_of(d, "format", "fixture", origin) != kFixtureFormat)
        bad(origin, std::string("format must be \"") + kFixtureFormat + "\"");
    const auto version = integer_of(d, "version", 0, 1, 1000000, "fixture", origin);
    if (version == 0) bad(origin, "version is missing");
    if (version > kFixtureVersion)
        bad(origin, "fixture version " + std::to_string(version) +
                        " is newer than this build reads (" + std::to_string(kFixtureVersion) +
                        ")");
    if (const auto* r = member(d, "recorded_at"))
        f.recorded_at = time_of(*r, "recorded_at", origin);
    if (const auto* r = member(d, "replay")) parse_settings(*r, f, origin);

    const auto* tables = member(d, "tables");
    if (!tables || !tables->is_object())
        bad(origin, "tables must be an object of table name to rows");
    const auto& known = db::FixtureStore::tables();
    for (const auto& [name, rows] : tables->items()) {
        if (std::find(known.begin(), known.end(), name) == known.end())
            bad(origin, "tables: \"" + name + "\" is not a table a fixture can hold");
        if (!rows.is_array()) bad(origin, "tables." + name + " must be an array of rows");
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (!rows[i].is_object() || rows[i].empty())
                bad(origin,
                    "tables." + name + "[" + std::to_string(i) + "] must be an object of columns");
    }
    std::string single_org;
    if (tables->contains("iam.organisations") && (*tables)["iam.organisations"].size() == 1) {
        const auto& org = (*tables)["iam.organisations"][0];
        if (org.contains("id") && org["id"].is_string()) single_org = org["id"].get<std::string>();
    }
    if (const auto* events = member(d, "events")) {
        if (!events->is_array()) bad(origin, "events must be an array");
        for (std::size_t i = 0; i < events->size(); ++i)
            f.events.push_back(parse_event((*events)[i], i, single_org, origin));
    }
    std::stable_sort(f.events.begin(), f.events.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
    return f;
}

Fixture read_fixture_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FixtureError(path.string() + ": cannot read the fixture file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_fixture(text.str(), path.string());
}

json fixture_document(const db::QueueDump& dump, const std::string& organisation_id,
                      const std::vector<std::string>& campaign_ids) {
    json tables = json::object();
    for (const auto& t : dump.tables) tables[t.table] = json::parse(t.json);
    return json{{"format", kFixtureFormat},
                {"version", kFixtureVersion},
                {"recorded_at", dump.recorded_at},
                {"source",
                 {{"organisation_id", organisation_id},
                  {"campaign_ids", campaign_ids},
                  {"schema_version", dump.schema_version},
                  {"redacted", false}}},
                {"tables", tables},
                {"events", json::array()}};
}

json settings_document(const ReplaySettings& s) {
    json r = {{"seed", s.seed},
              {"batch_size", s.batch_size},
              {"in_flight_chunk", s.in_flight_chunk},
              {"retry_base_ms", s.retry_base.count()},
              {"retry_max_ms", s.retry_max.count()},
              {"spacing_min_ms", s.spacing_min.count()},
              {"spacing_max_ms", s.spacing_max.count()},
              {"unknown_outcome", s.resend_unknown ? "resend" : "hold"}};
    if (!s.message_id_domain.empty()) r["message_id_domain"] = s.message_id_domain;
    return r;
}

void redact(json& d, const std::string& key) {
    Pseudonyms p(key);
    // Identity first, so that the text scrubbing below knows every value.
    each_row(d, "crm.people", [&](json& row) {
        replace_field(row, "first_name", [&](const auto& v) { return p.first_name(v); });
        replace_field(row, "last_name", [&](const auto& v) { return p.last_name(v); });
        replace_field(row, "email", [&](const auto& v) { return p.email(v); });
    });
    each_row(d, "crm.positions", [&](json& row) {
        replace_field(row, "email", [&](const auto& v) { return p.email(v); });
    });
    each_row(d, "crm.companies", [&](json& row) {
        replace_field(row, "name", [&](const auto& v) { return p.company(v); });
        replace_field(row, "siren", [&](const auto& v) { return p.siren(v); });
        replace_field(row, "domain", [&](const auto& v) { return p.domain(v); });
        replace_field(row, "pharow_id", [&](const auto& v) { return p.opaque("pharow", v); });
    });
    each_row(d, "outreach.campaigns", [&](json& row) {
        replace_field(row, "from_name", [&](const auto& v) { return p.person_name(v); });
        replace_field(row, "from_email", [&](const auto& v) { return p.email(v); });
        replace_field(row, "reply_to", [&](const auto& v) { return p.email(v); });
    });
    each_row(d, "outreach.sender_pacing", [&](json& row) {
        replace_field(row, "from_email", [&](const auto& v) { return p.email(v); });
    });
    each_row(d, "tracking.suppressions", [&](json& row) {
        replace_field(row, "email", [&](const auto& v) { return p.email(v); });
    });
    each_row(d, "outreach.messages", [&](json& row) {
        replace_field(row, "from_email", [&](const auto& v) { return p.email(v); });
        replace_field(row, "to_email", [&](const auto& v) { return p.email(v); });
    });
    const auto scrub = [&](const auto& v) { return p.scrub(v); };
    each_row(d, "outreach.messages", [&](json& row) {
        const bool inbound = row.value("direction", "") == "inbound";
        for (const char* c : {"subject", "last_error", "provider_message_id"})
            replace_field(row, c, scrub);
        for (const char* c : {"body_text", "body_html"}) {
            // A reply is the prospect's own writing: none of it is kept.
            if (inbound)
                replace_field(row, c, [](const auto&) { return std::string("[redacted reply]"); });
            else
                replace_field(row, c, scrub);
        }
    });
    each_row(d, "outreach.campaign_enrollments",
             [&](json& row) { replace_field(row, "last_error", scrub); });
    each_row(d, "outreach.tasks", [&](json& row) { replace_field(row, "last_error", scrub); });
    d["source"]["redacted"] = true;
}

std::vector<db::TableRows> table_rows(const Fixture& fixture) {
    std::vector<db::TableRows> out;
    for (const auto& [table, rows] : fixture.document.at("tables").items()) {
        // Consecutive rows with the same columns load in one statement.
        for (const auto& row : rows) {
            std::vector<std::string> columns;
            for (const auto& [column, value] : row.items()) columns.push_back(column);
            if (out.empty() || out.back().table != table || out.back().columns != columns)
                out.push_back({table, columns, "[]"});
            auto& group = out.back();
            group.json.pop_back();
            if (group.json.size() > 1) group.json += ",";
            group.json += row.dump() + "]";
        }
    }
    return out;
}

}  // namespace pf::replay
