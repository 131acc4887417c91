// find_return_date: the return date an out-of-office text gives, in French
// or English. The text is folded to lowercase ASCII first (accents dropped,
// curly apostrophes made straight) and cut before any quoted original, then
// read as tokens; each date found is scored by the words just before it.

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "scheduler/inbound_classification.hpp"

namespace pf::scheduler {
namespace {

// A date without a year is the first on or after received minus this slack:
// an out-of-office text may name a day that has just passed.
constexpr date::days year_slack{7};
// Further than this from received is no return date but a typo or a phone number.
constexpr date::days max_ahead{400};

// One UTF-8 letter of Latin-1 (two bytes, 0xC3 lead) as its ASCII base.
char fold_latin1(unsigned char second) {
    const unsigned char c = static_cast<unsigned char>(second | 0x20);  // upper → lower
    if (c >= 0xA0 && c <= 0xA5) return 'a';
    if (c == 0xA7) return 'c';
    if (c >= 0xA8 && c <= 0xAB) return 'e';
    if (c >= 0xAC && c <= 0xAF) return 'i';
    if (c >= 0xB2 && c <= 0xB6) return 'o';
    if (c >= 0xB9 && c <= 0xBC) return 'u';
    return ' ';
}

// Lowercase ASCII; accented letters lose their accent, ’ and ‘ become ',
// anything else outside ASCII becomes a space.
std::string fold(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            out += static_cast<char>(std::tolower(c));
        } else if (c == 0xC3 && i + 1 < text.size()) {
            out += fold_latin1(static_cast<unsigned char>(text[++i]));
        } else if (c == 0xE2 && i + 2 < text.size() && text[i + 1] == '\x80' &&
                   (text[i + 2] == '\x98' || text[i + 2] == '\x99')) {
            out += '\'';
            i += 2;
        } else if ((c & 0xC0) != 0x80) {
            out += ' ';  // the lead byte of another character; continuation bytes vanish
        }
    }
    return out;
}

bool contains(std::string_view s, std::string_view word) {
    return s.find(word) != std::string_view::npos;
}

// The text before any quoted original: dates in "Le 1 déc. 2026 à 10:02,
// X a écrit :" or "Sent: ..." are not return dates.
std::string_view own_text(std::string_view folded) {
    std::size_t pos = 0;
    while (pos < folded.size()) {
        std::size_t eol = folded.find('\n', pos);
        if (eol == std::string_view::npos) eol = folded.size();
        std::string_view line = folded.substr(pos, eol - pos);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        const bool quote = (!line.empty() && line.front() == '>') || contains(line, "a ecrit") ||
                           contains(line, "wrote:") || contains(line, "original message") ||
                           line.rfind("de :", 0) == 0 || line.rfind("from:", 0) == 0 ||
                           line.rfind("-----", 0) == 0;
        if (quote) return folded.substr(0, pos);
        pos = eol + 1;
    }
    return folded;
}

struct Token {
    enum Kind { number, word, mark } kind;
    std::string text;
    std::size_t pos;  // in the folded text
    bool glued;       // no space before it
};

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < s.size()) {
        const bool glued = i > 0 && !std::isspace(static_cast<unsigned char>(s[i - 1]));
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t j = i + 1;
        Token::Kind kind = Token::mark;
        if (std::isdigit(c)) {
            kind = Token::number;
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        } else if (std::isalpha(c)) {
            kind = Token::word;
            while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
        } else if (std::isspace(c)) {
            ++i;
            continue;
        }
        tokens.push_back({kind, std::string(s.substr(i, j - i)), i, glued});
        i = j;
    }
    return tokens;
}

unsigned month_of(const std::string& word) {
    static const std::pair<const char*, unsigned> names[] = {
        {"janvier", 1},   {"january", 1},   {"janv", 1},     {"jan", 1},       {"fevrier", 2},
        {"february", 2},  {"fevr", 2},      {"fev", 2},      {"feb", 2},       {"mars", 3},
        {"march", 3},     {"mar", 3},       {"avril", 4},    {"april", 4},     {"avr", 4},
        {"apr", 4},       {"mai", 5},       {"may", 5},      {"juin", 6},      {"june", 6},
        {"jun", 6},       {"juillet", 7},   {"july", 7},     {"juil", 7},      {"jul", 7},
        {"aout", 8},      {"august", 8},    {"aug", 8},      {"septembre", 9}, {"september", 9},
        {"sept", 9},      {"sep", 9},       {"octobre", 10}, {"october", 10},  {"oct", 10},
        {"novembre", 11}, {"november", 11}, {"nov", 11},     {"decembre", 12}, {"december", 12},
        {"dec", 12}};
    for (const auto& [name, month] : names)
        if (word == name) return month;
    return 0;
}

bool is_ordinal_suffix(const std::string& word) {
    return word == "er" || word == "st" || word == "nd" || word == "rd" || word == "th";
}

// A date as written: year 0 when the text gives none.
struct Written {
    int year = 0;
    unsigned month = 0, day = 0;
    std::size_t pos = 0;   // where it starts in the folded text
    std::size_t next = 0;  // the token after it
};

unsigned small_number(const Token& t) {
    if (t.kind != Token::number || t.text.size() > 2) return 0;
    return static_cast<unsigned>(std::atoi(t.text.c_str()));
}

int year_number(const Token& t) {
    if (t.kind != Token::number || (t.text.size() != 4 && t.text.size() != 2)) return 0;
    const int y = std::atoi(t.text.c_str());
    return t.text.size() == 2 ? 2000 + y : y;
}

// After a day or a month name: skip "er"/"th" and a '.' or ','.
std::size_t skip_suffixes(const std::vector<Token>& t, std::size_t i) {
    if (i < t.size() && t[i].glued && t[i].kind == Token::word && is_ordinal_suffix(t[i].text)) ++i;
    if (i < t.size() && t[i].kind == Token::mark && (t[i].text == "." || t[i].text == ",")) ++i;
    return i;
}

// A four-digit year after a month name or a day ("12 mars 2027", "March 12, 2027").
std::size_t read_year(const std::vector<Token>& t, std::size_t i, int& year) {
    if (i < t.size() && t[i].kind == Token::number && t[i].text.size() == 4) {
        year = year_number(t[i]);
        return i + 1;
    }
    return i;
}

// "12 mars", "1er janvier 2027", "12th March", "4th of January".
std::optional<Written> day_month(const std::vector<Token>& t, std::size_t i) {
    const unsigned day = small_number(t[i]);
    std::size_t j = skip_suffixes(t, i + 1);
    if (j < t.size() && t[j].text == "of") ++j;
    if (day == 0 || j >= t.size() || t[j].kind != Token::word) return std::nullopt;
    const unsigned month = month_of(t[j].text);
    if (month == 0) return std::nullopt;
    Written w{0, month, day, t[i].pos, 0};
    w.next = read_year(t, skip_suffixes(t, j + 1), w.year);
    return w;
}

// "March 12", "March 12th, 2027".
std::optional<Written> month_day(const std::vector<Token>& t, std::size_t i) {
    if (t[i].kind != Token::word) return std::nullopt;
    const unsigned month = month_of(t[i].text);
    std::size_t j = skip_suffixes(t, i + 1);
    if (month == 0 || j >= t.size() || t[j].glued) return std::nullopt;
    const unsigned day = small_number(t[j]);
    if (day == 0) return std::nullopt;
    Written w{0, month, day, t[i].pos, 0};
    w.next = read_year(t, skip_suffixes(t, j + 1), w.year);
    return w;
}

bool is_date_mark(const Token& t) {
    return t.kind == Token::mark && t.glued && (t.text == "/" || t.text == "." || t.text == "-");
}

// "15/03", "3/15/27", "15.03.2027", "2027-01-12": the numbers in the order
// written; which is the day is the reader's choice (see pick_day_month).
struct Numeric {
    std::vector<const Token*> numbers;
    std::size_t pos = 0, next = 0;
};

std::optional<Numeric> numeric(const std::vector<Token>& t, std::size_t i) {
    if (t[i].kind != Token::number || (i > 0 && t[i].glued && is_date_mark(t[i - 1])))
        return std::nullopt;
    Numeric n{{&t[i]}, t[i].pos, i + 1};
    while (n.next + 1 < t.size() && is_date_mark(t[n.next]) &&
           t[n.next + 1].kind == Token::number && t[n.next + 1].glued) {
        n.numbers.push_back(&t[n.next + 1]);
        n.next += 2;
    }
    // More than three numbers is a phone number or a version, not a date.
    if (n.numbers.size() < 2 || n.numbers.size() > 3) return std::nullopt;
    return n;
}

bool valid(int y, unsigned m, unsigned d) {
    return date::year_month_day{date::year{y}, date::month{m}, date::day{d}}.ok();
}

// French writes day/month; English month/day unless the first number cannot
// be a month. Either way, the other order when the first is impossible.
std::optional<Written> pick_day_month(const Numeric& n, bool french) {
    Written w;
    w.pos = n.pos;
    w.next = n.next;
    if (n.numbers[0]->text.size() == 4) {  // ISO 8601
        if (n.numbers.size() != 3) return std::nullopt;
        w.year = year_number(*n.numbers[0]);
        w.month = small_number(*n.numbers[1]);
        w.day = small_number(*n.numbers[2]);
        return w;
    }
    const unsigned a = small_number(*n.numbers[0]), b = small_number(*n.numbers[1]);
    if (n.numbers.size() == 3) w.year = year_number(*n.numbers[2]);
    if (n.numbers.size() == 3 && w.year == 0) return std::nullopt;
    const bool day_first = french ? (b <= 12 || a > 12) : (a > 12);
    w.day = day_first ? a : b;
    w.month = day_first ? b : a;
    return w;
}

// A word of s that starts with prefix ("return" finds "returning", not
// "feedback" for "back").
bool has_word_starting(std::string_view s, std::string_view prefix) {
    for (auto at = s.find(prefix); at != std::string_view::npos; at = s.find(prefix, at + 1))
        if (at == 0 || !std::isalpha(static_cast<unsigned char>(s[at - 1]))) return true;
    return false;
}

// The words a return date follows ("de retour le", "back on", "until").
bool is_return_keyword(std::string_view before) {
    for (const char* k :
         {"retour", "back", "return", "until", "till ", "jusqu", "partir", "des le"})
        if (has_word_starting(before, k)) return true;
    return false;
}

bool is_english_keyword(std::string_view before) {
    for (const char* k : {"back", "return", "until", "till ", "on "})
        if (has_word_starting(before, k)) return true;
    return false;
}

bool looks_french(std::string_view folded) {
    for (const char* k : {"jusqu", "retour", " je ", "bonjour", "merci", "bureau", " du ", " au "})
        if (contains(folded, k)) return true;
    return false;
}

struct Candidate {
    date::year_month_day date;
    int score;  // 2 after a return keyword, 1 the end of a range, 0 otherwise
    std::size_t pos;
};

// The year of a date written without one: the first on or after received - slack.
std::optional<date::year_month_day> resolve(const Written& w, date::sys_days received) {
    const date::sys_days floor = received - year_slack;
    if (w.year != 0) {
        if (!valid(w.year, w.month, w.day)) return std::nullopt;
        const date::year_month_day ymd{date::year{w.year}, date::month{w.month}, date::day{w.day}};
        if (date::sys_days{ymd} < floor) return std::nullopt;
        return ymd;
    }
    const int first_year = int(date::year_month_day{floor}.year());
    for (int y = first_year; y <= first_year + 4; ++y) {  // 4: a 29 February
        if (!valid(y, w.month, w.day)) continue;
        const date::year_month_day ymd{date::year{y}, date::month{w.month}, date::day{w.day}};
        if (date::sys_days{ymd} >= floor) return ymd;
    }
    return std::nullopt;
}

// The words just before pos, within its sentence: where a keyword counts.
std::string_view lead_in(std::string_view text, std::size_t pos) {
    std::string_view before = text.substr(pos > 40 ? pos - 40 : 0, pos > 40 ? 40 : pos);
    for (const char* stop : {"\n", ". "}) {
        const auto at = before.rfind(stop);
        if (at != std::string_view::npos) before.remove_prefix(at + 1);
    }
    return before;
}

int score_of(std::string_view text, const std::vector<Token>& t, std::size_t i, std::size_t pos) {
    if (is_return_keyword(lead_in(text, pos))) return 2;
    if (i > 0 && (t[i - 1].text == "au" || t[i - 1].text == "to" || t[i - 1].text == "-")) return 1;
    return 0;
}

std::optional<Written> written_at(std::string_view text, const std::vector<Token>& t, std::size_t i,
                                  bool french_text) {
    if (auto w = day_month(t, i)) return w;
    if (auto w = month_day(t, i)) return w;
    if (auto n = numeric(t, i)) {
        const std::string_view before = lead_in(text, n->pos);
        const bool french = is_return_keyword(before) ? !is_english_keyword(before) : french_text;
        return pick_day_month(*n, french);
    }
    return std::nullopt;
}

std::vector<Candidate> candidates(std::string_view text, date::sys_days received) {
    const std::vector<Token> t = tokenize(text);
    const bool french_text = looks_french(text);
    std::vector<Candidate> found;
    for (std::size_t i = 0; i < t.size();) {
        const auto w = written_at(text, t, i, french_text);
        if (!w) {
            ++i;
            continue;
        }
        const auto ymd = resolve(*w, received);
        if (ymd && date::sys_days{*ymd} <= received + max_ahead)
            found.push_back({*ymd, score_of(text, t, i, w->pos), w->pos});
        i = std::max(w->next, i + 1);
    }
    return found;
}

}  // namespace

std::optional<date::year_month_day> find_return_date(std::string_view text,
                                                     date::sys_days received) {
    const std::string folded = fold(text);
    const auto found = candidates(own_text(folded), received);
    if (found.empty()) return std::nullopt;
    // The best score wins; among dates after a keyword or ending a range the
    // first written, among bare dates the latest (the end of an absence).
    const auto better = [](const Candidate& a, const Candidate& b) {
        if (a.score != b.score) return a.score > b.score;
        if (a.score > 0) return a.pos < b.pos;
        return a.date > b.date;
    };
    return std::min_element(found.begin(), found.end(), better)->date;
}

}  // namespace pf::scheduler
