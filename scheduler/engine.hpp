#pragma once
// The engine's threads: a pool of workers (Boost.Asio thread_pool), each with
// its own connection and StepRunner, claiming batch after batch while there is
// work; idle workers sleep until a NOTIFY on 'prospectflow_tasks', the next
// due task or the poll interval, whichever comes first. With notify off (for
// PgBouncer in transaction pooling) polling alone wakes them. Each worker also
// rescues the leases of dead daemons now and then (the janitor's job,
// shared); a heartbeat thread registers the instance, beats and renews its
// leases (instance_liveness.hpp). Draining
// stops claiming without stopping the process. Each worker stamps the time
// it last made progress, so the run loop can tell a wedged pool from a busy
// one (worker_liveness.hpp).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/email_generator.hpp"
#include "adapters/send_adapter.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/random_source.hpp"
#include "scheduler/step_runner.hpp"
#include "scheduler/worker_liveness.hpp"

namespace boost::asio {
class thread_pool;
}

namespace pf::scheduler {

struct EngineOptions {
    EngineSettings settings;
    // This process as it registers (outreach.instances); its id must be
    // settings.instance_id. Empty id: no heartbeat thread.
    db::InstanceRow instance;
    std::string database_url;
    int workers = 4;
    std::chrono::milliseconds poll_interval{1000};
    bool notify = true;
    bool prepared_statements = true;
};

class Engine {
  public:
    Engine(EngineOptions options, adapters::SendAdapter& adapter,
           const adapters::GeneratorSet& generators, const Clock& clock, RandomSource& random,
           EngineCounters& counters);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    void start();
    // Stop claiming; workers finish the batch in hand.
    void stop();
    // Waits for the workers; false when the timeout passed first.
    bool join(std::chrono::milliseconds timeout);
    // Gives back this instance's leases still running (after join).
    std::size_t release_own_leases();
    // A clean stop (after release_own_leases): stops the heartbeat and
    // deletes the instance's row. A reload does not call it: the next
    // engine's heartbeat carries on with the same row.
    void deregister();

    // Draining: workers finish the batch in hand and claim nothing more
    // until undrained (rolling deploys). The process keeps running.
    void set_draining(bool draining);
    bool draining() const { return draining_.load(); }

    const EngineCounters& counters() const { return counters_; }
    int busy_workers() const { return busy_.load(); }
    int workers() const { return options_.workers; }
    // Connections open to the database: one per live worker, plus the listener.
    int open_connections() const { return connections_.load(); }

    // The running workers that have not finished a loop iteration (a batch,
    // an idle wait, a reconnect backoff) within `max_silence` before `now`.
    // A draining worker loops on its idle wait and counts as alive; one that
    // left its loop (stop) is not watched.
    std::vector<SilentWorker> silent_workers(std::chrono::steady_clock::time_point now,
                                             std::chrono::milliseconds max_silence) const;
    bool healthy(std::chrono::steady_clock::time_point now,
                 std::chrono::milliseconds max_silence) const {
        return silent_workers(now, max_silence).empty();
    }

    // The longest a worker waits before it reconnects after an error: part of
    // how long a healthy worker may be silent.
    static constexpr std::chrono::milliseconds kMaxReconnectBackoff{10000};

  private:
    class Janitor;
    void worker_loop(int index);
    void serve(int index, PipelineState& pipeline, Janitor& janitor,
               std::chrono::milliseconds& backoff);
    std::size_t run_batch(StepRunner& runner, int index);
    std::chrono::milliseconds idle_timeout(db::EngineStore& store);
    void note_progress(int index);
    void listen_loop();
    void heartbeat_loop();
    void stop_heartbeat();
    void wake_all();
    void wake_one();
    void idle_wait(std::chrono::milliseconds timeout);

    EngineOptions options_;
    adapters::SendAdapter& adapter_;
    const adapters::GeneratorSet& generators_;
    const Clock& clock_;
    RandomSource& random_;
    EngineCounters& counters_;

    std::atomic<bool> stopping_{false};
    std::atomic<bool> draining_{false};
    std::atomic<int> connections_{0};
    std::atomic<int> busy_{0};
    std::atomic<int> running_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::uint64_t wake_generation_ = 0;
    std::condition_variable finished_;
    // Per worker: steady_clock ticks of its last progress, or kNotRunning
    // before start and once it has left its loop. One atomic each, so the
    // watchdog reads it without a lock a wedged worker might hold.
    static constexpr std::int64_t kNotRunning = std::numeric_limits<std::int64_t>::min();
    std::vector<std::atomic<std::int64_t>> progress_;

    std::unique_ptr<boost::asio::thread_pool> pool_;
    std::thread listener_;
    // The heartbeat outlives stop(): workers finishing their batches keep
    // their leases alive until join; it ends in deregister() or the destructor.
    std::thread heartbeat_;
    std::mutex heartbeat_mutex_;
    std::condition_variable heartbeat_wake_;
    bool heartbeat_stopping_ = false;
};

}  // namespace pf::scheduler
