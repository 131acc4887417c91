#include "daemon/engine_watchdog.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace pf::daemon {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

milliseconds adapter_call(const Config& config, const std::string& kind) {
    // libcurl's CURLOPT_TIMEOUT bounds the whole transfer, connecting included.
    if (kind == "smtp")
        return seconds(std::max(config.smtp_adapter.timeout_seconds,
                                config.smtp_adapter.connect_timeout_seconds));
    if (kind == "http")
        return seconds(std::max(config.http_adapter.timeout_seconds,
                                config.http_adapter.connect_timeout_seconds));
    if (kind == "log") return milliseconds(config.log_adapter.latency_ms);
    return milliseconds(0);  // file: a local write
}

// Every attempt may time out, with the backoff between attempts.
milliseconds generation_call(const OpenAiGeneratorConfig& c) {
    if (!c.enabled) return milliseconds(0);
    const auto backoffs = milliseconds(c.retry_base_ms) * ((1LL << (c.max_attempts - 1)) - 1);
    return seconds(c.timeout_seconds) * c.max_attempts + backoffs;
}

std::string describe(const std::vector<scheduler::SilentWorker>& silent) {
    std::string text;
    for (const auto& s : silent) {
        if (!text.empty()) text += ", ";
        text += fmt::format("worker {} for {:.1f} s", s.worker, s.silent_for.count() / 1000.0);
    }
    return text;
}

}  // namespace

milliseconds longest_blocking_call(const Config& config) {
    std::set<std::string> kinds{config.send.adapter};
    for (const auto& r : config.send.routes) kinds.insert(r.adapter);
    auto longest = generation_call(config.openai);
    for (const auto& kind : kinds) longest = std::max(longest, adapter_call(config, kind));
    return longest;
}

milliseconds watchdog_max_silence(const Config& config) {
    const auto between_marks = std::max(milliseconds(config.scheduler.poll_interval_ms),
                                        scheduler::Engine::kMaxReconnectBackoff);
    return seconds(config.scheduler.lease_seconds) + longest_blocking_call(config) + between_marks;
}

void EngineWatchdog::feed(const scheduler::Engine& engine) {
    if (wedged_) return;
    const auto silent = engine.silent_workers(std::chrono::steady_clock::now(), max_silence_);
    if (silent.empty()) {
        notifier_.watchdog();
        return;
    }
    wedged_ = true;
    spdlog::error(
        "watchdog: no progress from {} (a worker may be silent for {} s: its lease, the longest "
        "adapter or generator call, one poll or reconnect wait); no more WATCHDOG=1, so that "
        "systemd restarts the daemon",
        describe(silent), std::chrono::duration_cast<seconds>(max_silence_).count());
}

}  // namespace pf::daemon
