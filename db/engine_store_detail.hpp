#pragma once
// Private to the engine store's .cpp files (engine_store.cpp,
// mailbox_store.cpp): array parameters from rows, and running a catalogued
// statement prepared or not.

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "db/engine_store.hpp"
#include "db/pg_array.hpp"
#include "db/statement_catalog.hpp"

namespace pf::db {

// One array parameter: field(row) of every row, as a PostgreSQL array literal.
template <typename T, typename F>
std::string column(const std::vector<T>& rows, F field) {
    std::vector<std::string> values;
    values.reserve(rows.size());
    for (const auto& r : rows) values.push_back(field(r));
    return to_pg_array(values);
}

template <typename T, typename F>
std::string optional_column(const std::vector<T>& rows, F field) {
    std::vector<std::optional<std::string>> values;
    values.reserve(rows.size());
    for (const auto& r : rows) values.push_back(field(r));
    return to_pg_array(values);
}

template <typename... Args>
pqxx::result EngineStore::run(pqxx::transaction_base& tx, const char* name, Args&&... args) {
    if (prepared_) return tx.exec_prepared(name, std::forward<Args>(args)...);
    return tx.exec_params(engine_statement(name), std::forward<Args>(args)...);
}

}  // namespace pf::db
