#pragma once
// Reads result rows by column name. The names are resolved once per result
// (libpq's PQfnumber copies and folds the name on every call), and a name the
// statement does not return throws, naming it: a reordered or edited SELECT
// can fail loudly but never shift one field into another.

#include <optional>
#include <pqxx/result>
#include <pqxx/row>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pf::db {

class RowReader {
  public:
    explicit RowReader(const pqxx::result& result) {
        for (pqxx::row::size_type i = 0; i < result.columns(); ++i)
            columns_.emplace(result.column_name(i), i);
    }

    pqxx::field field(const pqxx::row& row, std::string_view name) const {
        const auto it = columns_.find(std::string(name));
        if (it == columns_.end())
            throw std::logic_error("the statement returns no column named " + std::string(name));
        return row[it->second];
    }
    template <typename T>
    T get(const pqxx::row& row, std::string_view name) const {
        return field(row, name).as<T>();
    }
    std::string text(const pqxx::row& row, std::string_view name) const {
        return get<std::string>(row, name);
    }
    std::optional<std::string> nullable(const pqxx::row& row, std::string_view name) const {
        const auto f = field(row, name);
        if (f.is_null()) return std::nullopt;
        return f.as<std::string>();
    }

  private:
    std::unordered_map<std::string, pqxx::row::size_type> columns_;
};

}  // namespace pf::db
