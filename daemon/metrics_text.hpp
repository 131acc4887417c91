#pragma once
// Prometheus text exposition (format 0.0.4) of the daemon's metrics:
// counters, gauges and the engine's latency histograms.

#include <optional>
#include <string>

#include "daemon/inbound_counters.hpp"
#include "db/control_store.hpp"
#include "scheduler/step_runner.hpp"

namespace pf::daemon {

struct MetricsSnapshot {
    const scheduler::EngineCounters* counters = nullptr;
    const InboundCounters* inbound = nullptr;  // absent: no inbound service
    std::string adapter;  // the send adapter's name, a label
    std::string version;
    int workers = 0, workers_busy = 0, db_connections_open = 0;
    bool draining = false;
    double start_time_seconds = 0;        // Unix time the process started
    std::optional<db::QueueStats> queue;  // absent when the database is unreachable
};

std::string render_metrics(const MetricsSnapshot& snapshot);

}  // namespace pf::daemon
