#include "scheduler/mailbox_rotation.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "scheduler/send_window.hpp"

namespace pf::scheduler {
namespace {

date::local_days parse_day(const std::string& text) {
    std::istringstream in(text);
    date::local_days day;
    in >> date::parse("%F", day);
    if (in.fail()) throw std::invalid_argument("not a date (YYYY-MM-DD): '" + text + "'");
    return day;
}

}  // namespace

int effective_daily_limit(const db::MailboxRow& mailbox, date::local_days day) {
    if (mailbox.ramp_start_date.empty()) return mailbox.daily_limit;
    const auto days = (day - parse_day(mailbox.ramp_start_date)).count();
    const long long ramp =
        mailbox.ramp_initial +
        static_cast<long long>(std::max<long long>(0, days)) * mailbox.ramp_step_per_day;
    return static_cast<int>(std::min<long long>(mailbox.daily_limit, ramp));
}

MailboxToday* choose_mailbox(const std::vector<PoolEntry>& pool) {
    MailboxToday* best = nullptr;
    int best_weight = 0;
    for (const auto& entry : pool) {
        auto* m = entry.mailbox;
        if (!m || !m->active() || m->room_for_new_start() <= 0) continue;
        const bool better = !best || m->room_for_new_start() > best->room_for_new_start() ||
                            (m->room_for_new_start() == best->room_for_new_start() &&
                             (entry.weight > best_weight ||
                              (entry.weight == best_weight && m->row->email < best->row->email)));
        if (better) {
            best = m;
            best_weight = entry.weight;
        }
    }
    return best;
}

TimePoint mailbox_next_day(const MailboxToday& mailbox, TimePoint now) {
    return start_of_next_local_day(now, mailbox.zone);
}

std::optional<std::chrono::milliseconds> wait_for_followups(const std::vector<PoolEntry>& pool) {
    std::optional<std::chrono::milliseconds> wait;
    for (const auto& e : pool) {
        const auto* m = e.mailbox;
        if (!m->active() || m->room() <= 0) continue;
        const auto w = m->due_followups * mailbox_gap(*m->row).max;
        if (!wait || w < *wait) wait = w;
    }
    return wait;
}

MailboxGap mailbox_gap(const db::MailboxRow& mailbox) {
    using std::chrono::milliseconds;
    using std::chrono::seconds;
    const milliseconds min = seconds(mailbox.min_gap_seconds) + seconds(1);
    const milliseconds max =
        seconds(mailbox.min_gap_seconds) + seconds(std::max(1, mailbox.max_jitter_seconds));
    return {min, std::max(min, max)};
}

}  // namespace pf::scheduler
