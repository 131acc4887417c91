#include "daemon/service_notifier.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>

namespace pf::daemon {

ServiceNotifier::ServiceNotifier() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    enabled_ = socket != nullptr && *socket != '\0';
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        watchdog_period_ = std::chrono::microseconds(usec / 2);
}

void ServiceNotifier::notify(const std::string& message) {
    if (!enabled_) return;
    if (const int rc = sd_notify(0, message.c_str()); rc < 0)
        spdlog::warn("sd_notify failed: {}", rc);
}

void ServiceNotifier::ready(const std::string& status) {
    notify("READY=1\nSTATUS=" + status);
}

void ServiceNotifier::status(const std::string& status) {
    notify("STATUS=" + status);
}

void ServiceNotifier::reloading() {
    // MONOTONIC_USEC lets systemd 253+ (Type=notify-reload) match the reload.
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
    notify("RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=" +
           std::to_string(usec));
}

void ServiceNotifier::stopping() {
    notify("STOPPING=1\nSTATUS=stopping: finishing in-flight work");
}

void ServiceNotifier::watchdog() {
    notify("WATCHDOG=1");
}

}  // namespace pf::daemon
