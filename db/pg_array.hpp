#pragma once
// PostgreSQL array literals for set-based statements: one parameter such as
// '{"a","b"}'::text[] carries a whole batch, so N rows cost one round trip.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pf::db {

// Every element double-quoted, backslashes and quotes escaped; nullopt is NULL.
std::string to_pg_array(const std::vector<std::optional<std::string>>& values);
std::string to_pg_array(const std::vector<std::string>& values);
std::string to_pg_array(const std::vector<long long>& values);
std::string to_pg_array(const std::vector<int>& values);
std::string to_pg_array(const std::vector<bool>& values);

// Parses a one-dimensional array of integers as PostgreSQL prints it ("{1,2,3}").
std::vector<int> parse_int_array(std::string_view text);

}  // namespace pf::db
