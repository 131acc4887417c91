#pragma once
// The engine as the control port sees it. The run loop may replace the
// engine (SIGHUP with a new worker count or adapter); the drain flag lives
// here so it survives that.

#include <mutex>
#include <string>

#include "scheduler/engine.hpp"

namespace pf::daemon {

class EngineHandle {
  public:
    void attach(scheduler::Engine* engine, std::string adapter_name) {
        std::lock_guard lock(mutex_);
        engine_ = engine;
        adapter_name_ = std::move(adapter_name);
        if (engine_) engine_->set_draining(draining_);
    }
    std::string adapter_name() const {
        std::lock_guard lock(mutex_);
        return adapter_name_;
    }
    void set_draining(bool draining) {
        std::lock_guard lock(mutex_);
        draining_ = draining;
        if (engine_) engine_->set_draining(draining);
    }
    bool draining() const {
        std::lock_guard lock(mutex_);
        return draining_;
    }
    int workers() const {
        std::lock_guard lock(mutex_);
        return engine_ ? engine_->workers() : 0;
    }
    int busy_workers() const {
        std::lock_guard lock(mutex_);
        return engine_ ? engine_->busy_workers() : 0;
    }
    int open_connections() const {
        std::lock_guard lock(mutex_);
        return engine_ ? engine_->open_connections() : 0;
    }

  private:
    mutable std::mutex mutex_;
    scheduler::Engine* engine_ = nullptr;
    std::string adapter_name_;
    bool draining_ = false;
};

}  // namespace pf::daemon
