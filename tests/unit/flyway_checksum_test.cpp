#include "db/flyway_checksum.hpp"

#include <doctest/doctest.h>

using pf::db::flyway_checksum;

// Vectors: the first was printed by Flyway 6.0.0 itself ("Resolved locally:
// -1039259818", flyway/flyway issue #2474, file V1_1__add_column_location_
// history_valid_until.sql). The others were computed with the JDK's
// BufferedReader.readLine + java.util.zip.CRC32 exactly as Flyway's
// calculateChecksum does (BOM dropped from the first line), on OpenJDK 17.
TEST_CASE("checksum matches a value Flyway printed") {
    CHECK(flyway_checksum(
              "alter table location_history add column valid_until timestamp with time zone;") ==
          -1039259818);
    CHECK(flyway_checksum(
              "alter table location_history add column valid_until timestamp with time zone;\n") ==
          -1039259818);
}

TEST_CASE("checksum matches the JDK's reading of Flyway's algorithm") {
    CHECK(flyway_checksum("") == 0);
    CHECK(flyway_checksum("SELECT 1;") == 78787420);
    CHECK(flyway_checksum("SELECT 1;\n") == 78787420);
    CHECK(flyway_checksum("SELECT 1;\r\nSELECT 2;\r\n") == -1665099012);
    CHECK(flyway_checksum("-- Prénom\nINSERT INTO t VALUES ('Élodie', 'Zoë');\n") == -674457769);
    CHECK(flyway_checksum("CREATE TABLE a (id int);\n\n\nCREATE TABLE b (id int);\n") ==
          -956080171);
}

TEST_CASE("line endings and a byte-order mark do not change the checksum") {
    const auto lf = flyway_checksum("SELECT 1;\nSELECT 2;\n");
    CHECK(lf == -1665099012);
    CHECK(flyway_checksum("SELECT 1;\r\nSELECT 2;\r\n") == lf);
    CHECK(flyway_checksum("SELECT 1;\rSELECT 2;") == lf);
    CHECK(flyway_checksum("\xEF\xBB\xBFSELECT 1;\nSELECT 2;\n") == lf);
}

TEST_CASE("any other change does") {
    CHECK(flyway_checksum("SELECT 1;") != flyway_checksum("SELECT 1; "));
    CHECK(flyway_checksum("SELECT 1;") != flyway_checksum("select 1;"));
}
