#pragma once
// A fresh, empty database in the test cluster, dropped when the object dies.

#include <string>

namespace pf::test {

class ScratchDatabase {
  public:
    explicit ScratchDatabase(const std::string& hint);
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }

  private:
    std::string name_;
    std::string url_;
};

// The URL of the cluster's own database (from PF_TEST_DATABASE_URL_FILE).
std::string cluster_url();

}  // namespace pf::test
