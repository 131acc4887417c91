#pragma once
// One mailbox's IMAP reader, on its own thread: logs in, brings each folder
// up to date from its cursor (UID after the last one seen; a UIDVALIDITY
// change, or a folder never read, rescans a bounded period by date), hands
// each fetched chunk to the sink and waits for the next change, in IDLE on
// the first folder where the server has it (re-issued well before the 29
// minutes RFC 2177 allows), else polling. Failures back off and are reported;
// the reader keeps trying until stopped. It never writes to the mailbox.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/imap_client.hpp"

namespace pf::adapters {

struct InboundFolderCursor {
    std::uint32_t uidvalidity = 0;  // 0: never read
    std::uint32_t last_uid = 0;
};

// A chunk of one folder, and the folder's cursor once it is recorded.
struct InboundFolderBatch {
    std::string folder;
    std::uint32_t uidvalidity = 0, last_uid = 0;
    bool rescan = false;  // part of a rescan by date (new UIDVALIDITY, first read)
    std::vector<FetchedMessage> messages;
};

// What the reader reports between polls.
enum class InboundMode { connecting, idle, polling, error };
const char* to_string(InboundMode mode);

// The daemon's side of a reader; called from the reader's thread.
class InboundSink {
  public:
    virtual ~InboundSink() = default;
    // The folders' cursors, read at each (re)connection.
    virtual std::map<std::string, InboundFolderCursor> cursors() = 0;
    // Records a batch and its cursor; false when this daemon no longer
    // holds the mailbox (the reader stops).
    virtual bool deliver(const InboundFolderBatch& batch) = 0;
    virtual void report(InboundMode mode, const std::optional<std::string>& error) = 0;
    // The login; fresh: not a cached OAuth token (the cached one was
    // refused). Throws ImapError(authentication) when there is none to give.
    virtual ImapCredentials credentials(bool fresh) = 0;
};

struct InboundReaderSettings {
    ImapEndpoint endpoint;
    std::vector<std::string> folders{"INBOX"};
    bool use_idle = true;
    std::chrono::seconds poll_interval{60};
    std::chrono::seconds idle_reissue{25 * 60};
    std::chrono::hours rescan_period{14 * 24};
    std::chrono::seconds retry_min{5}, retry_max{300};
    std::size_t fetch_chunk = 50;
    std::size_t max_message_bytes = 4 * 1024 * 1024;
};

class InboundReader {
  public:
    InboundReader(std::string label, InboundReaderSettings settings,
                  std::shared_ptr<InboundSink> sink);
    ~InboundReader();  // stops and joins
    InboundReader(const InboundReader&) = delete;
    InboundReader& operator=(const InboundReader&) = delete;

    void stop();  // asks the thread to end (an IDLE ends within 200 ms)
    bool running() const;

  private:
    void run();
    void read_until_stopped(ImapSession& session,
                            std::map<std::string, InboundFolderCursor>& cursors);
    bool sync_folder(ImapSession& session, const std::string& folder, InboundFolderCursor& cursor);
    bool deliver_uids(ImapSession& session, const std::string& folder, std::uint32_t uidvalidity,
                      const std::vector<std::uint32_t>& uids, bool rescan,
                      InboundFolderCursor& cursor);
    void wait_for_change(ImapSession& session);
    void connect_and_login(std::unique_ptr<ImapSession>& session);
    bool pause_for(std::chrono::milliseconds how_long);  // false when stopped

    std::string label_;
    InboundReaderSettings settings_;
    std::shared_ptr<InboundSink> sink_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> finished_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace pf::adapters
