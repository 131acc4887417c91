#pragma once
// Flyway's checksum of a SQL migration: CRC-32 over the UTF-8 bytes of each
// line as java.io.BufferedReader.readLine() returns them (no line terminators;
// "\n", "\r" and "\r\n" all end a line), with a leading byte-order mark
// dropped, stored as a signed 32-bit integer. Line endings therefore do not
// change the checksum; every other byte does.

#include <cstdint>
#include <string_view>

namespace pf::db {

std::int32_t flyway_checksum(std::string_view file_content);

}  // namespace pf::db
