#include "db/statement_catalog.hpp"

#include <stdexcept>

#include "db/embedded_migrations.hpp"

namespace pf::db {
namespace {

constexpr std::string_view kNameMarker = "-- name: ";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::string family_of(std::string_view file_name) {
    const auto dot = file_name.rfind(".sql");
    return std::string(file_name.substr(0, dot));
}

}  // namespace

std::map<std::string, std::string, std::less<>> parse_statement_file(std::string_view file_name,
                                                                     std::string_view text) {
    std::map<std::string, std::string, std::less<>> out;
    std::string current;
    std::string body;
    const auto close = [&] {
        if (current.empty()) {
            if (!trim(body).empty())
                throw std::logic_error(std::string(file_name) +
                                       ": SQL before the first '-- name:' line");
            return;
        }
        if (trim(body).empty())
            throw std::logic_error(std::string(file_name) + ": statement " + current + " is empty");
        if (!out.emplace(current, std::string(trim(body))).second)
            throw std::logic_error(std::string(file_name) + ": statement " + current +
                                   " is defined twice");
    };
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const auto line = text.substr(pos, end - pos);
        if (line.substr(0, kNameMarker.size()) == kNameMarker) {
            close();
            current = std::string(trim(line.substr(kNameMarker.size())));
            body.clear();
        } else {
            body.append(line).push_back('\n');
        }
        pos = end + 1;
    }
    close();
    return out;
}

const std::map<std::string, EngineStatement, std::less<>>& engine_statements() {
    static const auto statements = [] {
        std::map<std::string, EngineStatement, std::less<>> all;
        for (const auto& file : embedded_statement_files()) {
            for (auto& [name, sql] : parse_statement_file(file.name, file.content)) {
                if (all.count(name))
                    throw std::logic_error("db/statements: " + name + " is defined in two files");
                all.emplace(name, EngineStatement{family_of(file.name), std::move(sql)});
            }
        }
        return all;
    }();
    return statements;
}

const std::string& engine_statement(std::string_view name) {
    const auto& all = engine_statements();
    const auto it = all.find(name);
    if (it == all.end())
        throw std::out_of_range("no engine statement named " + std::string(name) +
                                " in db/statements");
    return it->second.sql;
}

}  // namespace pf::db
