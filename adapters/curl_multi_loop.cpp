#include "adapters/curl_multi_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace pf::adapters {
namespace {

// libcurl's global state must be set up once, before any handle exists.
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

int lane_count(int lanes, int max_connections) {
    return std::clamp(lanes, 1, std::max(1, max_connections));
}

}  // namespace

void CurlTransfer::report(SendResult result) noexcept {
    try {
        (*done_)(index_, std::move(result));
    } catch (const std::exception& e) {
        // The callback must not throw; if one does, the lane must go on for
        // every other email.
        spdlog::error("send callback threw for email {} of its batch: {}", index_, e.what());
    } catch (...) {
        spdlog::error("send callback threw for email {} of its batch", index_);
    }
}

CurlMultiLoop::CurlMultiLoop(std::string name, int max_connections, int lanes)
    : name_(std::move(name)),
      max_connections_(std::max(1, max_connections)),
      lane_capacity_((max_connections_ + lane_count(lanes, max_connections) - 1) /
                     lane_count(lanes, max_connections)) {
    init_curl_once();
    // The loop bounds the transfers a lane runs (lane_capacity_); libcurl's
    // limits only size the connection cache. A lane keeps up to the loop's
    // whole budget of idle connections: with many relays on one lane (the
    // mailbox sender: one relay per mailbox), a cache of lane_capacity_
    // would close one mailbox's connection to open the next one's.
    const long cache = max_connections_;
    for (int i = 0; i < lane_count(lanes, max_connections); ++i) {
        auto lane = std::make_unique<Lane>();
        lane->number = lanes_.size();
        lane->multi.reset(curl_multi_init());
        if (!lane->multi) throw std::runtime_error(name_ + ": curl_multi_init failed");
        curl_multi_setopt(lane->multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, cache);
        curl_multi_setopt(lane->multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, cache);
        // The cache would otherwise shrink to 4x the handles added at the
        // moment and close idle connections a moment later needs again.
        curl_multi_setopt(lane->multi.get(), CURLMOPT_MAXCONNECTS, cache);
        lanes_.push_back(std::move(lane));
    }
    // Threads only once every lane exists: a lane wakes the others.
    try {
        for (auto& lane : lanes_) lane->thread = std::thread([this, l = lane.get()] { run(*l); });
    } catch (...) {
        stop();
        throw;
    }
}

CurlMultiLoop::~CurlMultiLoop() {
    stop();
}

void CurlMultiLoop::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_lanes(nullptr);
    for (auto& lane : lanes_)
        if (lane->thread.joinable()) lane->thread.join();
}

void CurlMultiLoop::submit(const std::string& relay, Transfers transfers) {
    if (transfers.empty()) return;
    {
        std::lock_guard lock(mutex_);
        auto [it, added] = relays_.try_emplace(relay);
        if (added) it->second = Relay{relay, open_relay_window(max_connections_), {}};
        for (auto& t : transfers) it->second.waiting.push_back(std::move(t));
    }
    wake_lanes(nullptr);
}

// Thread-safe by libcurl's contract: wakes a lane's curl_multi_poll (or
// makes its next one return at once).
void CurlMultiLoop::wake_lanes(const Lane* except) {
    for (auto& lane : lanes_)
        if (lane.get() != except) curl_multi_wakeup(lane->multi.get());
}

void CurlMultiLoop::run(Lane& lane) {
    while (true) {
        Work work = take_work(lane);
        for (auto& t : work.abandoned)
            t->report(SendResult::transient(name_ + ": not sent: the adapter is shutting down"));
        if (work.stopping && lane.running.empty()) return;
        for (auto& s : work.starts) start(lane, std::move(s));
        int still_running = 0;
        if (const auto rc = curl_multi_perform(lane.multi.get(), &still_running); rc != CURLM_OK)
            spdlog::error("{}: curl_multi_perform: {}", name_, curl_multi_strerror(rc));
        // A finished transfer may have made room: start the next before sleeping.
        if (collect_finished(lane) > 0) continue;
        // Returns on socket activity, libcurl's next timeout or a wakeup
        // (submit, a transfer finished on another lane, stop), at the latest
        // after a second.
        if (const auto rc = curl_multi_poll(lane.multi.get(), nullptr, 0, 1000, nullptr);
            rc != CURLM_OK)
            spdlog::error("{}: curl_multi_poll: {}", name_, curl_multi_strerror(rc));
    }
}

// What this lane starts now: while it has capacity and the loop is under
// max_connections, one transfer per relay with room, round after round, so
// no relay waits behind another's queue. When stopping: nothing starts, and
// the transfers still waiting are handed back to be failed.
CurlMultiLoop::Work CurlMultiLoop::take_work(Lane& lane) {
    Work work;
    bool more = false;  // work left that another lane could start
    {
        std::lock_guard lock(mutex_);
        work.stopping = stopping_;
        if (stopping_) {
            for (auto& [key, relay] : relays_) {
                for (auto& t : relay.waiting) work.abandoned.push_back(std::move(t));
                relay.waiting.clear();
            }
            return work;
        }
        if (!may_take(lane)) return work;
        for (bool progress = true; progress && lane.taken < lane_capacity_;) {
            progress = false;
            for (auto& [key, relay] : relays_) {
                if (lane.taken == lane_capacity_ || in_flight_ >= max_connections_) break;
                if (relay.waiting.empty() || !has_room(relay.window)) continue;
                work.starts.push_back({&relay, std::move(relay.waiting.front())});
                relay.waiting.pop_front();
                note_started(relay.window);
                ++in_flight_;
                ++lane.taken;
                progress = true;
            }
        }
        for (const auto& [key, relay] : relays_)
            more = more || (!relay.waiting.empty() && has_room(relay.window));
        more = more && in_flight_ < max_connections_;
    }
    // This lane is full: the next one may take what is left (it may have
    // looked already, seen this one with room and gone back to sleep).
    if (more && !work.starts.empty()) wake_lanes(&lane);
    return work;
}

// Only while every lane before this one is full (mutex held).
bool CurlMultiLoop::may_take(const Lane& lane) const {
    for (std::size_t i = 0; i < lane.number; ++i)
        if (lanes_[i]->taken < lane_capacity_) return false;
    return true;
}

void CurlMultiLoop::start(Lane& lane, Start s) {
    EasyHandle easy = take_handle(lane);
    if (!easy) {
        release(lane, *s.relay, RelayFeedback::neutral, "curl_easy_init failed");
        s.transfer->report(SendResult::transient(name_ + ": curl_easy_init failed"));
        return;
    }
    std::string failure;
    try {
        s.transfer->prepare(easy.get());
        if (const auto rc = curl_multi_add_handle(lane.multi.get(), easy.get()); rc != CURLM_OK)
            failure = std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        give_back(lane, std::move(easy));
        release(lane, *s.relay, RelayFeedback::neutral, failure);
        s.transfer->report(SendResult::transient(name_ + ": " + failure));
        return;
    }
    CURL* key = easy.get();
    lane.running.emplace(key, Running{std::move(s.transfer), s.relay, std::move(easy)});
}

int CurlMultiLoop::collect_finished(Lane& lane) {
    int count = 0;
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(lane.multi.get(), &queued)) {
        if (message->msg != CURLMSG_DONE) continue;
        // The message is gone once the handle leaves the multi handle.
        CURL* easy = message->easy_handle;
        const CURLcode code = message->data.result;
        finished(lane, easy, code);
        ++count;
    }
    return count;
}

void CurlMultiLoop::finished(Lane& lane, CURL* easy, CURLcode code) {
    auto it = lane.running.find(easy);
    if (it == lane.running.end()) return;
    Running done = std::move(it->second);
    lane.running.erase(it);
    curl_multi_remove_handle(lane.multi.get(), easy);
    CurlTransfer::Outcome outcome;
    try {
        outcome = done.transfer->finish(easy, code);
    } catch (const std::exception& e) {
        outcome = {SendResult::transient(name_ + ": " + e.what()), RelayFeedback::neutral};
    }
    give_back(lane, std::move(done.easy));
    release(lane, *done.relay, outcome.feedback, outcome.result.reason);
    done.transfer->report(std::move(outcome.result));
}

// A transfer of `relay` is over: its window learns what the relay said, and
// the other lanes are woken when that made room for a waiting transfer (this
// lane looks again by itself before it sleeps).
void CurlMultiLoop::release(Lane& lane, Relay& relay, RelayFeedback feedback,
                            const std::string& why) {
    int before = 0;
    int after = 0;
    bool waiting = false;
    {
        std::lock_guard lock(mutex_);
        before = relay.window.window;
        note_finished(relay.window, feedback);
        --in_flight_;
        --lane.taken;
        after = relay.window.window;
        waiting = !relay.waiting.empty();
    }
    if (after < before) {
        spdlog::warn("{}: relay {} {}: concurrency {} -> {} ({})", name_, relay.key,
                     to_string(feedback), before, after, why);
    } else if (after > before) {
        spdlog::debug("{}: relay {}: concurrency {} -> {}", name_, relay.key, before, after);
    }
    if (waiting && lanes_.size() > 1) wake_lanes(nullptr);
}

// A handle from an earlier transfer when there is one: its DNS and TLS
// session caches stay warm.
CurlMultiLoop::EasyHandle CurlMultiLoop::take_handle(Lane& lane) {
    if (lane.idle.empty()) return EasyHandle(curl_easy_init());
    EasyHandle easy = std::move(lane.idle.back());
    lane.idle.pop_back();
    return easy;
}

// Reset at once rather than when next taken: an idle handle must not keep
// pointing at the buffers of a transfer that is gone. curl_easy_reset clears
// the options only; connections stay in the multi handle's cache.
void CurlMultiLoop::give_back(Lane& lane, EasyHandle easy) {
    curl_easy_reset(easy.get());
    lane.idle.push_back(std::move(easy));
}

}  // namespace pf::adapters
