#include "daemon/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

namespace pf::daemon {
namespace {

// One JSON object per line on stderr; nlohmann::json does the escaping.
class JsonStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch())
                .count();
        nlohmann::json line = {
            {"ts", static_cast<double>(micros) / 1e6},
            {"level", spdlog::level::to_string_view(msg.level).data()},
            {"msg", std::string(msg.payload.data(), msg.payload.size())},
            {"thread", msg.thread_id},
        };
        const auto text =
            line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        std::fwrite(text.data(), 1, text.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
    // Reloads replace the logger; the registry refuses a second of one name.
    spdlog::drop("prospectflowd");
    std::shared_ptr<spdlog::logger> logger;
    if (format == "json") {
        logger =
            std::make_shared<spdlog::logger>("prospectflowd", std::make_shared<JsonStderrSink>());
    } else {
        logger = spdlog::stderr_color_mt("prospectflowd");
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %v");
    }
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

}  // namespace pf::daemon
