#include "db/connection.hpp"

#include <pqxx/pqxx>
#include <regex>

namespace pf::db {

std::string redact_database_url(std::string_view url) {
    static const std::regex uri_password(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@?#]*):[^@/?#]*@)");
    static const std::regex keyword_password(R"((^|\s)password\s*=\s*('([^'\\]|\\.)*'|\S+))");
    std::string text(url);
    text = std::regex_replace(text, uri_password, "$1:***@");
    text = std::regex_replace(text, keyword_password, "$1password=***");
    return text;
}

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
    if (url.empty()) {
        throw DatabaseUnavailable(
            "no database URL: set database.url, database.url_file, PROSPECTFLOW_DATABASE_URL "
            "or --database-url");
    }
    try {
        return std::make_unique<pqxx::connection>(url);
    } catch (const pqxx::broken_connection& e) {
        std::string reason = e.what();
        while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' '))
            reason.pop_back();
        throw DatabaseUnavailable("cannot connect to " + redact_database_url(url) + ": " + reason);
    }
}

}  // namespace pf::db
