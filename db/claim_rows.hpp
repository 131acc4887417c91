#pragma once
// The claim's result (db/statements/claim.sql) as ClaimedStep structs, every
// field read by its column name.

#include <pqxx/result>
#include <vector>

#include "db/engine_rows.hpp"

namespace pf::db {

std::vector<ClaimedStep> read_claimed_steps(const pqxx::result& rows);

}  // namespace pf::db
