#pragma once
// The service manager protocol (sd_notify): READY=1 once the daemon serves,
// STATUS= lines, WATCHDOG=1 keep-alives, RELOADING=1 and STOPPING=1. Does
// nothing when NOTIFY_SOCKET is unset (not run by systemd).

#include <chrono>
#include <optional>
#include <string>

namespace pf::daemon {

class ServiceNotifier {
  public:
    ServiceNotifier();

    bool enabled() const { return enabled_; }
    void ready(const std::string& status);
    void status(const std::string& status);
    void reloading();
    void stopping();
    void watchdog();
    // How often to send WATCHDOG=1 (half of WatchdogSec), when systemd asks.
    std::optional<std::chrono::microseconds> watchdog_period() const { return watchdog_period_; }

  private:
    void notify(const std::string& message);
    bool enabled_ = false;
    std::optional<std::chrono::microseconds> watchdog_period_;
};

}  // namespace pf::daemon
