#pragma once
// Opening connections, and showing their URLs without the password.

#include <memory>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pf::db {

class DatabaseUnavailable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db";
// also masks a password=... keyword in key/value connection strings.
std::string redact_database_url(std::string_view url);

// Opens a connection; throws DatabaseUnavailable with the redacted URL and
// libpq's reason when the server cannot be reached or refuses us.
std::unique_ptr<pqxx::connection> connect(const std::string& url);

}  // namespace pf::db
