#include "db/pg_array.hpp"

#include <charconv>
#include <stdexcept>

namespace pf::db {
namespace {

void append_quoted(std::string& out, std::string_view value) {
    out += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

template <typename T, typename Append>
std::string join(const std::vector<T>& values, Append append) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        append(out, values[i]);
    }
    out += '}';
    return out;
}

}  // namespace

std::string to_pg_array(const std::vector<std::optional<std::string>>& values) {
    return join(values, [](std::string& out, const std::optional<std::string>& v) {
        if (v)
            append_quoted(out, *v);
        else
            out += "NULL";
    });
}

std::string to_pg_array(const std::vector<std::string>& values) {
    return join(values, [](std::string& out, const std::string& v) { append_quoted(out, v); });
}

std::string to_pg_array(const std::vector<long long>& values) {
    return join(values, [](std::string& out, long long v) { out += std::to_string(v); });
}

std::string to_pg_array(const std::vector<int>& values) {
    return join(values, [](std::string& out, int v) { out += std::to_string(v); });
}

std::string to_pg_array(const std::vector<bool>& values) {
    return join(values, [](std::string& out, bool v) { out += v ? "t" : "f"; });
}

std::vector<int> parse_int_array(std::string_view text) {
    if (text.size() < 2 || text.front() != '{' || text.back() != '}')
        throw std::invalid_argument("not an array literal: " + std::string(text));
    std::vector<int> values;
    text = text.substr(1, text.size() - 2);
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = text.substr(0, comma);
        int v = 0;
        const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (ec != std::errc() || ptr != item.data() + item.size())
            throw std::invalid_argument("not an integer in array: " + std::string(item));
        values.push_back(v);
        if (comma == std::string_view::npos) break;
        text = text.substr(comma + 1);
    }
    return values;
}

}  // namespace pf::db
