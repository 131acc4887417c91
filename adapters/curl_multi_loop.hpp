#pragma once
// libcurl multi handles and the threads that drive them, for the smtp and
// http adapters (one loop per adapter instance). send_many queues transfers
// from any thread; the loop starts each when its relay's window has room
// (relay_window.hpp), runs them side by side and reports each result from
// a loop thread. Easy handles are kept between transfers, and each multi
// handle's connection cache keeps connections open between them: libcurl
// reuses one when host, port, TLS options and credentials match, so emails to
// the same relay with the same login share connections.
//
// Lanes: the loop runs `lanes` threads, each with its own multi handle and
// at most ceil(max_connections / lanes) transfers; the relays' windows and
// queues are shared by all lanes (one mutex), so a relay's window bounds
// its transfers whatever lane they run on. A lane takes work only while the
// lanes before it are full, so work stays on the first lanes and on their
// open connections instead of opening one per lane. The http adapter needs
// one lane.
// The smtp adapter needs one per connection because libcurl (7.88, Debian
// 12, and later) waits for the reply to the end of DATA inside
// curl_multi_perform (smtp_done calls smtp_block_statemach; curl issue
// #8555): on a shared multi handle, each transaction's final reply would
// hold up every other transaction of the handle.
//
// Limits: at most max_connections transfers run at once (the loop never
// gives libcurl more, so none waits inside libcurl with its timeout already
// running); CURLMOPT_MAX_HOST_CONNECTIONS, MAX_TOTAL_CONNECTIONS and
// MAXCONNECTS size each lane's cache of open connections to max_connections,
// so a lane that serves many relays in turn (one per mailbox) keeps each
// one's connection open.

#include <curl/curl.h>

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/relay_window.hpp"
#include "adapters/send_adapter.hpp"

namespace pf::adapters {

// One email's transfer: what the adapter knows (options, result mapping);
// the loop knows when it runs.
class CurlTransfer {
  public:
    struct Outcome {
        SendResult result;
        RelayFeedback feedback = RelayFeedback::neutral;
    };

    CurlTransfer(std::size_t index, std::shared_ptr<const SendCallback> done)
        : index_(index), done_(std::move(done)) {}
    virtual ~CurlTransfer() = default;
    CurlTransfer(const CurlTransfer&) = delete;
    CurlTransfer& operator=(const CurlTransfer&) = delete;

    // Sets this transfer's options on a handle fresh from curl_easy_init or
    // curl_easy_reset. Everything libcurl is pointed at (buffers, lists)
    // lives in the transfer, which outlives its time in the multi handle.
    virtual void prepare(CURL* easy) = 0;
    // libcurl is done with the transfer (`code`): what it means for the email
    // and for the relay.
    virtual Outcome finish(CURL* easy, CURLcode code) = 0;

    // Hands the result to the batch's callback (the loop calls it once).
    void report(SendResult result) noexcept;

  private:
    std::size_t index_;
    std::shared_ptr<const SendCallback> done_;
};

class CurlMultiLoop {
  public:
    // Starts the lanes' threads; `name` ("smtp", "http") begins log lines and
    // failure reasons. Throws std::runtime_error when libcurl cannot make a
    // multi handle.
    CurlMultiLoop(std::string name, int max_connections, int lanes);
    // Stops the threads. Transfers still waiting for room fail transient
    // (never started, so nothing was sent); those in flight run to their end,
    // bounded by their own timeouts: cutting one off mid-DATA would leave its
    // outcome unknown, and the scheduler could send that email twice.
    ~CurlMultiLoop();
    CurlMultiLoop(const CurlMultiLoop&) = delete;
    CurlMultiLoop& operator=(const CurlMultiLoop&) = delete;

    // Queues transfers to `relay` (a key: URL and user name) and wakes the
    // lanes. Thread-safe.
    void submit(const std::string& relay, std::vector<std::unique_ptr<CurlTransfer>> transfers);

  private:
    struct EasyCleanup {
        void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
    };
    struct MultiCleanup {
        void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
    };
    using EasyHandle = std::unique_ptr<CURL, EasyCleanup>;
    using Transfers = std::vector<std::unique_ptr<CurlTransfer>>;
    struct Relay {
        std::string key;
        RelayWindow window;
        std::deque<std::unique_ptr<CurlTransfer>> waiting;  // beyond the window, in order
    };
    struct Start {
        Relay* relay;
        std::unique_ptr<CurlTransfer> transfer;
    };
    struct Running {
        std::unique_ptr<CurlTransfer> transfer;
        Relay* relay;
        EasyHandle easy;
    };
    // One thread and its multi handle; `running` and `idle` are the lane
    // thread's own, `taken` is guarded by the loop's mutex.
    struct Lane {
        std::size_t number = 0;  // its place in lanes_
        int taken = 0;           // transfers started on it and not yet released
        std::unique_ptr<CURLM, MultiCleanup> multi;
        std::map<CURL*, Running> running;
        std::vector<EasyHandle> idle;  // after multi: cleaned up before it, as libcurl asks
        std::thread thread;
    };
    struct Work {
        std::vector<Start> starts;
        Transfers abandoned;  // when stopping: the transfers that never started
        bool stopping = false;
    };

    void run(Lane& lane);
    Work take_work(Lane& lane);
    bool may_take(const Lane& lane) const;
    void start(Lane& lane, Start start);
    int collect_finished(Lane& lane);
    void finished(Lane& lane, CURL* easy, CURLcode code);
    void release(Lane& lane, Relay& relay, RelayFeedback feedback, const std::string& why);
    void wake_lanes(const Lane* except);
    void stop();
    static EasyHandle take_handle(Lane& lane);
    static void give_back(Lane& lane, EasyHandle easy);

    const std::string name_;
    const int max_connections_;
    const int lane_capacity_;

    std::mutex mutex_;  // guards the three below, shared by the lanes and submit()
    std::map<std::string, Relay> relays_;
    int in_flight_ = 0;
    bool stopping_ = false;

    std::vector<std::unique_ptr<Lane>> lanes_;  // last: threads stop before the above go
};

// One Transfer per email, each reporting its result under its index to `done`.
template <typename Transfer, typename Settings>
std::vector<std::unique_ptr<CurlTransfer>> transfers_for(const Settings& settings,
                                                         std::vector<OutboundEmail> emails,
                                                         SendCallback done) {
    auto shared_done = std::make_shared<const SendCallback>(std::move(done));
    std::vector<std::unique_ptr<CurlTransfer>> transfers;
    transfers.reserve(emails.size());
    for (std::size_t i = 0; i < emails.size(); ++i)
        transfers.push_back(
            std::make_unique<Transfer>(settings, std::move(emails[i]), i, shared_done));
    return transfers;
}

}  // namespace pf::adapters
