#include "integration/scratch_database.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

namespace pf::test {

std::string cluster_url() {
    const char* file = std::getenv("PF_TEST_DATABASE_URL_FILE");
    if (!file)
        throw std::runtime_error("PF_TEST_DATABASE_URL_FILE is not set: run the tests with ctest");
    std::ifstream in(file);
    std::string url;
    std::getline(in, url);
    if (url.empty()) throw std::runtime_error(std::string("no URL in ") + file);
    return url;
}

ScratchDatabase::ScratchDatabase(const std::string& hint) {
    static std::atomic<int> counter{0};
    std::random_device random;
    name_ = "pf_" + hint + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
            "_" + std::to_string(random() % 100000);
    const auto base = cluster_url();
    pqxx::connection admin(base);
    pqxx::nontransaction(admin).exec("CREATE DATABASE " + admin.quote_name(name_));
    url_ = base.substr(0, base.rfind('/') + 1) + name_;
}

ScratchDatabase::~ScratchDatabase() {
    try {
        pqxx::connection admin(cluster_url());
        pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + admin.quote_name(name_) +
                                         " WITH (FORCE)");
    } catch (...) {
        // The whole cluster is thrown away after the run.
    }
}

}  // namespace pf::test
