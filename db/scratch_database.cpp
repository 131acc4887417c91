#include "db/scratch_database.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

namespace pf::db {

std::string with_database(const std::string& url, const std::string& name) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (!options) {
        std::string why = error ? error : "unparsable";
        PQfreemem(error);
        throw std::invalid_argument("bad database URL: " + why);
    }
    const auto quote = [](const std::string& v) {
        std::string out = "'";
        for (char c : v) {
            if (c == '\\' || c == '\'') out += '\\';
            out += c;
        }
        return out + "'";
    };
    std::string result;
    for (auto* o = options; o->keyword; ++o) {
        if (std::string(o->keyword) == "dbname" || !o->val) continue;
        result += std::string(o->keyword) + "=" + quote(o->val) + " ";
    }
    PQconninfoFree(options);
    return result + "dbname=" + quote(name);
}

ScratchDatabase::ScratchDatabase(const std::string& server_url, const std::string& prefix,
                                 bool keep)
    : server_url_(server_url), keep_(keep) {
    static std::atomic<int> counter{0};
    std::random_device random;
    name_ = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(random() % 100000);
    pqxx::connection admin(server_url_);
    pqxx::nontransaction(admin).exec("CREATE DATABASE " + admin.quote_name(name_));
    url_ = with_database(server_url_, name_);
}

ScratchDatabase::~ScratchDatabase() {
    if (keep_) return;
    try {
        pqxx::connection admin(server_url_);
        pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + admin.quote_name(name_) +
                                         " WITH (FORCE)");
    } catch (const std::exception&) {
        // The server is gone or refuses: nothing more can be done here.
    }
}

}  // namespace pf::db
