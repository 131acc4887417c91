#pragma once
// A throwaway PostgreSQL cluster for one replay: initdb into a fresh
// temporary directory, a server on a Unix socket only (no TCP port, so two
// replays never clash), stopped and deleted when the object dies.
// PostgreSQL refuses to run as root; as root the server runs as the
// 'postgres' user (else 'nobody'), like scripts/pg-local.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace pf::replay {

class ClusterError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class EmbeddedCluster {
  public:
    // Finds the server binaries (PF_PG_BINDIR, else the newest
    // /usr/lib/postgresql/*/bin), runs initdb and starts the server.
    EmbeddedCluster();
    ~EmbeddedCluster();
    EmbeddedCluster(const EmbeddedCluster&) = delete;
    EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

    // libpq URI of the cluster's 'postgres' database, as its superuser.
    const std::string& url() const { return url_; }

  private:
    void run(const std::vector<std::string>& argv, const std::string& what);

    std::filesystem::path bindir_, home_;
    std::string url_;
    bool started_ = false;
    int owner_uid_ = -1, owner_gid_ = -1;
};

}  // namespace pf::replay
