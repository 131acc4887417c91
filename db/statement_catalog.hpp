#pragma once
// The engine's SQL, by name. The statements live in db/statements/*.sql, one
// file per family (claim, variants, reserve, pacing, record, next_due,
// leases), each statement under a `-- name: pf_...` line; the files are
// compiled into the binary, so the engine runs exactly what the files say and
// benchmarks and tests can read the same text.

#include <map>
#include <string>
#include <string_view>

namespace pf::db {

struct EngineStatement {
    std::string family;  // the file's name without .sql
    std::string sql;
};

// Every statement, by name. Built once; throws std::logic_error at first use
// when a file has text before its first name line or a name is repeated.
const std::map<std::string, EngineStatement, std::less<>>& engine_statements();

// One statement's text; throws std::out_of_range naming an unknown name.
const std::string& engine_statement(std::string_view name);

// Splits one file into its statements (exposed for the unit test).
std::map<std::string, std::string, std::less<>> parse_statement_file(std::string_view file_name,
                                                                     std::string_view text);

}  // namespace pf::db
