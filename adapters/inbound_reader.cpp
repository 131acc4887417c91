#include "adapters/inbound_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace pf::adapters {

namespace {

// A lease lost, or a stop asked: the reader ends quietly.
struct ReaderEnds {};

std::uint32_t last_of(const std::vector<std::uint32_t>& uids, std::uint32_t otherwise) {
    return uids.empty() ? otherwise : std::max(otherwise, uids.back());
}

}  // namespace

const char* to_string(InboundMode mode) {
    switch (mode) {
        case InboundMode::connecting:
            return "connecting";
        case InboundMode::idle:
            return "idle";
        case InboundMode::polling:
            return "polling";
        case InboundMode::error:
            return "error";
    }
    return "error";
}

InboundReader::InboundReader(std::string label, InboundReaderSettings settings,
                             std::shared_ptr<InboundSink> sink)
    : label_(std::move(label)), settings_(std::move(settings)), sink_(std::move(sink)) {
    thread_ = std::thread([this] { run(); });
}

InboundReader::~InboundReader() {
    stop();
    if (thread_.joinable()) thread_.join();
}

void InboundReader::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
}

bool InboundReader::running() const {
    return !finished_;
}

bool InboundReader::pause_for(std::chrono::milliseconds how_long) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, how_long, [this] { return stop_.load(); });
    return !stop_;
}

void InboundReader::run() {
    int failures = 0;
    while (!stop_) {
        std::unique_ptr<ImapSession> session;
        try {
            sink_->report(InboundMode::connecting, std::nullopt);
            connect_and_login(session);
            auto cursors = sink_->cursors();
            failures = 0;
            read_until_stopped(*session, cursors);
        } catch (const ReaderEnds&) {
            break;
        } catch (const std::exception& e) {
            session.reset();
            ++failures;
            spdlog::warn("inbound: {}: {}", label_, e.what());
            sink_->report(InboundMode::error, std::string(e.what()));
            const auto backoff = std::min<std::chrono::milliseconds>(
                settings_.retry_max, settings_.retry_min * (1 << std::min(failures - 1, 10)));
            if (!pause_for(backoff)) break;
        }
    }
    finished_ = true;
}

// A refused XOAUTH2 token may only be stale: one more try with a fresh one.
void InboundReader::connect_and_login(std::unique_ptr<ImapSession>& session) {
    session = std::make_unique<ImapSession>(settings_.endpoint);
    const auto first = sink_->credentials(false);
    try {
        session->login(first);
    } catch (const ImapError& e) {
        if (e.failure() != ImapFailure::authentication || first.kind != ImapAuthKind::xoauth2)
            throw;
        session = std::make_unique<ImapSession>(settings_.endpoint);
        session->login(sink_->credentials(true));
    }
}

void InboundReader::read_until_stopped(ImapSession& session,
                                       std::map<std::string, InboundFolderCursor>& cursors) {
    while (!stop_) {
        for (const auto& folder : settings_.folders)
            if (!sync_folder(session, folder, cursors[folder])) throw ReaderEnds{};
        const bool idle = settings_.use_idle && session.has_idle();
        sink_->report(idle ? InboundMode::idle : InboundMode::polling, std::nullopt);
        wait_for_change(session);
    }
    throw ReaderEnds{};
}

// IDLE watches one folder (the first, INBOX); the others are looked at every
// poll interval, so with more than one folder IDLE lasts at most that long.
void InboundReader::wait_for_change(ImapSession& session) {
    if (!(settings_.use_idle && session.has_idle())) {
        if (!pause_for(settings_.poll_interval)) throw ReaderEnds{};
        session.noop();
        return;
    }
    const auto max_wait =
        settings_.folders.size() > 1
            ? std::min<std::chrono::seconds>(settings_.poll_interval, settings_.idle_reissue)
            : settings_.idle_reissue;
    session.examine(settings_.folders.front());
    const auto wake = session.idle(max_wait, stop_);
    if (wake == IdleWake::stopped) throw ReaderEnds{};
    if (wake == IdleWake::timeout)
        spdlog::debug(
            "inbound: {}: IDLE ended after {} s without news; looking again and re-issuing it",
            label_, max_wait.count());
}

bool InboundReader::sync_folder(ImapSession& session, const std::string& folder,
                                InboundFolderCursor& cursor) {
    const auto state = session.examine(folder);
    // RFC 3501 requires it; without one a cursor could never be trusted.
    if (state.uidvalidity == 0)
        throw ImapError(ImapFailure::protocol, "the server gave " + folder + " no UIDVALIDITY");
    if (cursor.uidvalidity == state.uidvalidity)
        return deliver_uids(session, folder, state.uidvalidity, session.uids_after(cursor.last_uid),
                            false, cursor);
    // A folder never read, or renumbered: the recent past by date; what was
    // recorded before is recognised by its Message-ID and not done again.
    if (cursor.uidvalidity != 0)
        spdlog::info(
            "inbound: {}: {} has a new UIDVALIDITY ({} -> {}): rescanning the last {} days", label_,
            folder, cursor.uidvalidity, state.uidvalidity, settings_.rescan_period.count() / 24);
    const auto since = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() -
                                                             settings_.rescan_period);
    auto uids = session.uids_since(std::chrono::sys_days(since));
    std::sort(uids.begin(), uids.end());
    InboundFolderCursor fresh{state.uidvalidity, 0};
    if (!deliver_uids(session, folder, state.uidvalidity, uids, true, fresh)) return false;
    // Everything below UIDNEXT is now behind the cursor, matched or not.
    const std::uint32_t seen = state.uidnext > 0 ? state.uidnext - 1 : last_of(uids, 0);
    if (fresh.last_uid < seen || uids.empty()) {
        fresh.last_uid = std::max(fresh.last_uid, seen);
        if (!sink_->deliver(
                InboundFolderBatch{folder, fresh.uidvalidity, fresh.last_uid, true, {}}))
            return false;
    }
    cursor = fresh;
    return true;
}

bool InboundReader::deliver_uids(ImapSession& session, const std::string& folder,
                                 std::uint32_t uidvalidity, const std::vector<std::uint32_t>& uids,
                                 bool rescan, InboundFolderCursor& cursor) {
    for (std::size_t i = 0; i < uids.size() && !stop_; i += settings_.fetch_chunk) {
        const std::vector<std::uint32_t> chunk(
            uids.begin() + i, uids.begin() + std::min(uids.size(), i + settings_.fetch_chunk));
        InboundFolderBatch batch{folder, uidvalidity, chunk.back(), rescan,
                                 session.fetch(chunk, settings_.max_message_bytes)};
        batch.last_uid = std::max(cursor.last_uid, chunk.back());
        if (!sink_->deliver(batch)) return false;
        cursor = {uidvalidity, batch.last_uid};
    }
    return !stop_;
}

}  // namespace pf::adapters
