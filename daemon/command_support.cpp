#include "daemon/command_support.hpp"

#include <spdlog/spdlog.h>

#include "daemon/config_loader.hpp"
#include "daemon/logging.hpp"
#include "db/connection.hpp"

namespace pf::daemon {

Config file_or_default_config(const std::string& config_file) {
    return config_file.empty() ? default_config(process_environment())
                               : load_config(config_file, process_environment());
}

Config command_config(const std::string& config_file, const std::string& database_url) {
    auto config = file_or_default_config(config_file);
    setup_logging(config.log.level, config.log.format);
    if (!database_url.empty()) config.database.url = database_url;
    return config;
}

std::unique_ptr<pqxx::connection> connect_or_log(const std::string& url) {
    try {
        return db::connect(url);
    } catch (const db::DatabaseUnavailable& e) {
        spdlog::error("{}", e.what());
        return nullptr;
    }
}

}  // namespace pf::daemon
