#pragma once
// TestDatabase: a fresh, empty database in the test cluster, dropped when the
// object dies.

#include <string>

#include "db/scratch_database.hpp"

namespace pf::test {

// The URL of the cluster's own database (from PF_TEST_DATABASE_URL_FILE).
std::string cluster_url();

class TestDatabase : public db::ScratchDatabase {
  public:
    explicit TestDatabase(const std::string& hint)
        : db::ScratchDatabase(cluster_url(), "pf_" + hint) {}
};

}  // namespace pf::test
