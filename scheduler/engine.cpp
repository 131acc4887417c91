#include "scheduler/engine.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <pqxx/pqxx>

#include "db/connection.hpp"
#include "db/engine_store.hpp"
#include "scheduler/instance_liveness.hpp"

namespace pf::scheduler {
namespace {

constexpr const char* kChannel = "prospectflow_tasks";

class WakeOnNotify final : public pqxx::notification_receiver {
  public:
    WakeOnNotify(pqxx::connection_base& connection, std::function<void()> wake)
        : pqxx::notification_receiver(connection, kChannel), wake_(std::move(wake)) {}
    void operator()(const std::string&, int) override { wake_(); }

  private:
    std::function<void()> wake_;
};

// Counts a live database connection for as long as it exists.
class ConnectionGauge {
  public:
    explicit ConnectionGauge(std::atomic<int>& gauge) : gauge_(gauge) { ++gauge_; }
    ~ConnectionGauge() { --gauge_; }
    ConnectionGauge(const ConnectionGauge&) = delete;
    ConnectionGauge& operator=(const ConnectionGauge&) = delete;

  private:
    std::atomic<int>& gauge_;
};

}  // namespace

Engine::Engine(EngineOptions options, adapters::SendAdapter& adapter,
               const adapters::GeneratorSet& generators, const Clock& clock, RandomSource& random,
               EngineCounters& counters)
    : options_(std::move(options)),
      adapter_(adapter),
      generators_(generators),
      clock_(clock),
      random_(random),
      counters_(counters),
      progress_(static_cast<std::size_t>(options_.workers)) {
    for (auto& p : progress_) p = kNotRunning;
}

Engine::~Engine() {
    stop();
    stop_heartbeat();
    if (listener_.joinable()) listener_.join();
    if (pool_ && running_.load() == 0) pool_->join();
    // Workers still running past the shutdown timeout keep the pool alive:
    // the process is about to exit and their leases will expire.
    if (pool_ && running_.load() != 0) (void)pool_.release();
}

void Engine::start() {
    pool_ = std::make_unique<boost::asio::thread_pool>(static_cast<std::size_t>(options_.workers));
    running_ = options_.workers;
    // Alive from the start: a pool thread may begin its loop a little later.
    for (int i = 0; i < options_.workers; ++i) note_progress(i);
    for (int i = 0; i < options_.workers; ++i)
        boost::asio::post(*pool_, [this, i] { worker_loop(i); });
    if (options_.notify) listener_ = std::thread([this] { listen_loop(); });
    if (!options_.instance.id.empty()) heartbeat_ = std::thread([this] { heartbeat_loop(); });
}

void Engine::set_draining(bool draining) {
    draining_ = draining;
    wake_all();
}

void Engine::stop() {
    stopping_ = true;
    wake_all();
}

bool Engine::join(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return finished_.wait_for(lock, timeout, [this] { return running_.load() == 0; });
}

std::size_t Engine::release_own_leases() {
    try {
        auto connection = db::connect(options_.database_url);
        db::EngineStore store(*connection, false);
        return store.release_leases(options_.settings.instance_id);
    } catch (const std::exception& e) {
        spdlog::error("could not give back leases at shutdown (they will expire): {}", e.what());
        return 0;
    }
}

void Engine::deregister() {
    stop_heartbeat();
    if (options_.instance.id.empty()) return;
    try {
        auto connection = db::connect(options_.database_url);
        db::EngineStore store(*connection, false);
        store.deregister_instance(options_.instance.id);
    } catch (const std::exception& e) {
        spdlog::warn("could not deregister instance {} (other daemons will forget it): {}",
                     options_.instance.id, e.what());
    }
}

void Engine::stop_heartbeat() {
    {
        std::lock_guard lock(heartbeat_mutex_);
        heartbeat_stopping_ = true;
    }
    heartbeat_wake_.notify_all();
    if (heartbeat_.joinable()) heartbeat_.join();
}

// Beats every heartbeat_interval on a connection of its own, so a worker
// busy with a long batch (or a relay that takes its time) neither delays the
// beat nor loses its leases: each beat also renews the leases about to end.
// A beat that fails is retried at the next interval; other daemons take this
// one's tasks over only after instance_timeout without one.
void Engine::heartbeat_loop() {
    const auto& s = options_.settings;
    const auto interval = std::max(std::chrono::seconds(1), s.heartbeat_interval);
    const auto wait = [&](std::chrono::seconds d) {
        std::unique_lock lock(heartbeat_mutex_);
        return heartbeat_wake_.wait_for(lock, d, [this] { return heartbeat_stopping_; });
    };
    std::unique_ptr<pqxx::connection> connection;
    std::unique_ptr<db::EngineStore> store;
    std::unique_ptr<ConnectionGauge> live;
    bool failing = false;
    do {
        try {
            if (!store) {
                connection = db::connect(options_.database_url);
                live = std::make_unique<ConnectionGauge>(connections_);
                store =
                    std::make_unique<db::EngineStore>(*connection, options_.prepared_statements);
            }
            const auto renewed =
                store->heartbeat(options_.instance, to_micros(clock_.now()), s.lease_seconds,
                                 static_cast<int>(interval.count()));
            if (failing) spdlog::info("heartbeat of {} restored", options_.instance.id);
            failing = false;
            if (renewed) spdlog::debug("heartbeat: renewed {} lease(s)", renewed);
        } catch (const std::exception& e) {
            if (!failing)
                spdlog::warn(
                    "heartbeat of {} failed: {}; other daemons take its tasks over "
                    "after {} s without one",
                    options_.instance.id, e.what(), s.instance_timeout.count());
            failing = true;
            store.reset();
            live.reset();
            connection.reset();
        }
    } while (!wait(interval));
}

void Engine::note_progress(int index) {
    progress_[static_cast<std::size_t>(index)].store(
        std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

std::vector<SilentWorker> Engine::silent_workers(std::chrono::steady_clock::time_point now,
                                                 std::chrono::milliseconds max_silence) const {
    std::vector<WorkerBeat> beats;
    beats.reserve(progress_.size());
    for (const auto& p : progress_) {
        const auto ticks = p.load(std::memory_order_relaxed);
        beats.push_back({ticks != kNotRunning, std::chrono::steady_clock::time_point(
                                                   std::chrono::steady_clock::duration(ticks))});
    }
    return scheduler::silent_workers(beats, now, max_silence);
}

void Engine::wake_all() {
    {
        std::lock_guard lock(mutex_);
        ++wake_generation_;
    }
    wake_.notify_all();
}

// One worker per notification: every idle worker claiming at once for one
// due task made the winner share two cores with the losers' empty claims.
// A worker whose batch came back full wakes the next (more may be due).
void Engine::wake_one() {
    {
        std::lock_guard lock(mutex_);
        ++wake_generation_;
    }
    wake_.notify_one();
}

void Engine::idle_wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const auto generation = wake_generation_;
    wake_.wait_for(lock, timeout,
                   [&] { return stopping_.load() || wake_generation_ != generation; });
}

void Engine::listen_loop() {
    auto backoff = std::chrono::milliseconds(200);
    while (!stopping_) {
        try {
            auto connection = db::connect(options_.database_url);
            ConnectionGauge live(connections_);
            WakeOnNotify receiver(*connection, [this] { wake_one(); });
            backoff = std::chrono::milliseconds(200);
            spdlog::debug("listening on channel {}", kChannel);
            while (!stopping_) connection->await_notification(0, 200000);
        } catch (const std::exception& e) {
            if (stopping_) break;
            spdlog::warn("notification listener: {}; polling until it reconnects", e.what());
            idle_wait(backoff);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
        }
    }
}

// The janitor's job, shared by the workers: now and then, rescue the leases
// of daemons presumed dead (lease expired, heartbeat older than
// instance_timeout, or no instance row and no renewal for that long) so any
// worker can claim those tasks; and forget instances silent for long. Each
// worker looks every janitor_period, so with several workers the first look
// after a death comes sooner still. The task rows carry the reason.
class Engine::Janitor {
  public:
    Janitor(const EngineOptions& options, int index)
        : every_(janitor_period(std::chrono::seconds(options.settings.lease_seconds),
                                options.settings.heartbeat_interval)),
          timeout_(options.settings.instance_timeout),
          self_(options.settings.instance_id),
          next_(std::chrono::steady_clock::now() + std::chrono::milliseconds(100 * index)) {}

    void maybe_rescue(db::EngineStore& store, const Clock& clock) {
        if (std::chrono::steady_clock::now() < next_) return;
        next_ = std::chrono::steady_clock::now() + every_;
        const auto now = to_micros(clock.now());
        if (const auto rescued = store.rescue_leases(rescue_cutoffs(now, timeout_, self_)))
            spdlog::warn(
                "janitor: {} task(s) leased by a daemon presumed dead (lease expired, or no "
                "heartbeat for {} s) are claimable again",
                rescued, timeout_.count());
        const auto forget_before =
            now - std::chrono::duration_cast<std::chrono::microseconds>(kForgetSilentInstancesAfter)
                      .count();
        if (const auto forgotten = store.forget_instances(forget_before))
            spdlog::info("janitor: forgot {} instance(s) silent for over {} h", forgotten,
                         kForgetSilentInstancesAfter.count());
    }

  private:
    std::chrono::seconds every_;
    std::chrono::seconds timeout_;
    std::string self_;
    std::chrono::steady_clock::time_point next_;
};

void Engine::worker_loop(int index) {
    Janitor janitor(options_, index);
    auto backoff = std::chrono::milliseconds(200);
    // Sends in flight and outcomes not yet written outlive a lost connection:
    // the next runner writes them.
    PipelineState pipeline;
    while (!stopping_) {
        try {
            serve(index, pipeline, janitor, backoff);
        } catch (const std::exception& e) {
            if (stopping_) break;
            spdlog::error("worker {}: {}; retrying in {} ms", index, e.what(), backoff.count());
            idle_wait(backoff);
            // Retrying a lost database is progress: a restart would not bring it back.
            note_progress(index);
            backoff = std::min(backoff * 2, kMaxReconnectBackoff);
        }
    }
    progress_[static_cast<std::size_t>(index)] = kNotRunning;
    {
        std::lock_guard lock(mutex_);
        --running_;
    }
    finished_.notify_all();
}

// One connection's life: batches until stopping (or the connection fails).
void Engine::serve(int index, PipelineState& pipeline, Janitor& janitor,
                   std::chrono::milliseconds& backoff) {
    auto connection = db::connect(options_.database_url);
    ConnectionGauge live(connections_);
    db::EngineStore store(*connection, options_.prepared_statements);
    StepRunner runner(store, adapter_, generators_, clock_, random_, options_.settings, counters_,
                      &pipeline);
    backoff = std::chrono::milliseconds(200);
    while (!stopping_) {
        if (draining_) {
            runner.finish_in_flight();
            idle_wait(options_.poll_interval);
            note_progress(index);
            continue;
        }
        const auto claimed = run_batch(runner, index);
        janitor.maybe_rescue(store, clock_);
        if (claimed >= static_cast<std::size_t>(options_.settings.batch_size)) wake_one();
        if (claimed > 0) continue;  // more may be due; SKIP LOCKED may have passed some
        const auto wait = idle_timeout(store);
        spdlog::trace("worker {}: idle for up to {} ms", index, wait.count());
        idle_wait(wait);
        note_progress(index);
    }
    runner.finish_in_flight();  // stopping: every outcome written before the leases go
}

std::size_t Engine::run_batch(StepRunner& runner, int index) {
    ++busy_;
    std::size_t claimed = 0;
    try {
        claimed = runner.run_batch(&stopping_);
        spdlog::trace("worker {}: batch of {} done", index, claimed);
    } catch (...) {
        --busy_;
        throw;
    }
    --busy_;
    note_progress(index);
    return claimed;
}

// Until the next due task, at most the poll interval.
std::chrono::milliseconds Engine::idle_timeout(db::EngineStore& store) {
    auto wait = options_.poll_interval;
    if (const auto next = store.next_due(to_micros(clock_.now()))) {
        const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
            from_micros(*next) - clock_.now());
        wait = std::clamp(until, std::chrono::milliseconds(1), wait);
    }
    return wait;
}

}  // namespace pf::scheduler
