#include "integration/scratch_database.hpp"

#include <cstdlib>
#include <fstream>
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

}  // namespace pf::test
