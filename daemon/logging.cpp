#include "daemon/logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

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

// Straight to the journal, one entry per message, with fields a journalctl
// query can select on (PRIORITY, SYSLOG_IDENTIFIER, TID, CODE_*).
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        static constexpr int priority[] = {LOG_DEBUG, LOG_DEBUG, LOG_INFO, LOG_WARNING,
                                           LOG_ERR,   LOG_CRIT,  LOG_INFO};
        const int length = static_cast<int>(msg.payload.size());
        sd_journal_send("MESSAGE=%.*s", length, msg.payload.data(), "PRIORITY=%d",
                        priority[static_cast<int>(msg.level)], "SYSLOG_IDENTIFIER=prospectflowd",
                        "TID=%zu", msg.thread_id, "PROSPECTFLOW_LEVEL=%s",
                        spdlog::level::to_string_view(msg.level).data(), nullptr);
    }
    void flush_() override {}
};

}  // namespace

bool stderr_is_journal(const char* journal_stream, unsigned long long device,
                       unsigned long long inode) {
    if (journal_stream == nullptr) return false;
    unsigned long long want_device = 0, want_inode = 0;
    if (std::sscanf(journal_stream, "%llu:%llu", &want_device, &want_inode) != 2) return false;
    return want_device == device && want_inode == inode;
}

void setup_logging(const std::string& level, const std::string& format) {
    // Reloads replace the logger; the registry refuses a second of one name.
    spdlog::drop("prospectflowd");
    std::shared_ptr<spdlog::logger> logger;
    // systemd connects stderr to the journal and says so in JOURNAL_STREAM
    // (device:inode of that stream); then text logs go to the journal as
    // entries with fields. JSON is kept as asked for.
    struct stat err {};
    const bool journal = format == "text" && ::fstat(STDERR_FILENO, &err) == 0 &&
                         stderr_is_journal(std::getenv("JOURNAL_STREAM"), err.st_dev, err.st_ino);
    if (format == "json") {
        logger =
            std::make_shared<spdlog::logger>("prospectflowd", std::make_shared<JsonStderrSink>());
    } else if (journal) {
        logger = std::make_shared<spdlog::logger>("prospectflowd", std::make_shared<JournalSink>());
    } else {
        logger = spdlog::stderr_color_mt("prospectflowd");
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ %v");
    }
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

}  // namespace pf::daemon
