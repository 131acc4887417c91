#include "scheduler/mailbox_assignment.hpp"

#include <algorithm>
#include <set>

#include "scheduler/send_window.hpp"

namespace pf::scheduler {
namespace {

bool uses_mailboxes(const StepWork& w) {
    return w.step.campaign_has_pool || w.step.enrollment_mailbox_id.has_value();
}

std::string unavailable_reason(const MailboxToday& m) {
    return "mailbox " + m.row->email + " is " + m.row->status +
           (m.row->status_reason.empty() ? "" : " (" + m.row->status_reason + ")");
}

}  // namespace

std::vector<StepWork*> MailboxAssignment::assign(std::vector<StepWork*> sends) {
    std::vector<StepWork*> pool_sends;
    for (auto* w : sends)
        if (uses_mailboxes(*w)) pool_sends.push_back(w);
    if (pool_sends.empty()) return sends;
    load(pool_sends, true);
    std::vector<StepWork*> going;
    for (auto* w : sends)
        if (!uses_mailboxes(*w) || assign_one(*w)) going.push_back(w);
    return going;
}

// The pools of the sends' campaigns and every mailbox they may use, each
// with its count for its own local day, locked.
void MailboxAssignment::load(const std::vector<StepWork*>& sends, bool lock) {
    std::set<Key> campaigns, ids;
    for (auto* w : sends) {
        if (w->step.campaign_has_pool)
            campaigns.insert({w->step.organisation_id, w->step.campaign_id});
        if (w->step.enrollment_mailbox_id)
            ids.insert({w->step.organisation_id, *w->step.enrollment_mailbox_id});
    }
    const auto members = tx_.campaign_pools({campaigns.begin(), campaigns.end()});
    for (const auto& m : members) ids.insert({m.organisation_id, m.mailbox_id});
    std::vector<std::shared_ptr<const db::MailboxRow>> rows;
    for (auto& row : tx_.mailboxes({ids.begin(), ids.end()}))
        rows.push_back(std::make_shared<const db::MailboxRow>(std::move(row)));
    count_days(std::move(rows), lock);
    for (const auto& m : members) {
        const auto it = mailboxes_.find({m.organisation_id, m.mailbox_id});
        if (it != mailboxes_.end())
            pools_[{m.organisation_id, m.campaign_id}].push_back({&it->second, m.weight});
    }
}

void MailboxAssignment::count_days(std::vector<std::shared_ptr<const db::MailboxRow>> rows,
                                   bool lock) {
    std::vector<db::MailboxDaySlots> days;
    for (auto& row : rows) {
        MailboxToday m;
        m.zone = find_time_zone(row->timezone);
        const auto day = local_day(now_, m.zone);
        m.day = date::format("%F", day);
        m.limit = effective_daily_limit(*row, day);
        m.row = std::move(row);
        days.push_back({m.row->organisation_id, m.row->id, m.day, 0});
        mailboxes_[{m.row->organisation_id, m.row->id}] = std::move(m);
    }
    const auto counts =
        lock ? tx_.lock_mailbox_days(days, to_micros(now_)) : tx_.peek_mailbox_days(days);
    for (const auto& c : counts) {
        auto& m = mailboxes_.at({c.organisation_id, c.mailbox_id});
        m.reserved = c.reserved;
        m.due_followups = c.due_followups;
    }
}

// The enrollment's own mailbox, when it keeps it: it was contacted from it,
// or the mailbox is active and still in the pool. Else null: pick anew.
MailboxToday* MailboxAssignment::known_mailbox(const StepWork& w) {
    const auto& s = w.step;
    if (!s.enrollment_mailbox_id) return nullptr;
    const auto it = mailboxes_.find({s.organisation_id, *s.enrollment_mailbox_id});
    if (it == mailboxes_.end()) return nullptr;  // deleted: only possible before any send
    if (s.contacted) return &it->second;
    const auto pool = pools_.find({s.organisation_id, s.campaign_id});
    const bool in_pool = pool != pools_.end() &&
                         std::any_of(pool->second.begin(), pool->second.end(),
                                     [&](const PoolEntry& e) { return e.mailbox == &it->second; });
    return it->second.active() && in_pool ? &it->second : nullptr;
}

bool MailboxAssignment::assign_one(StepWork& w) {
    auto* m = known_mailbox(w);
    if (!m) return assign_from_pool(w);
    if (!m->active()) {
        out_.deferred(
            w, now_ + settings_.mailbox_retry,
            unavailable_reason(*m) + "; this enrollment waits for it (its thread is from it)");
        return false;
    }
    if (m->room() <= 0) {
        out_.deferred(w, next_window_time(mailbox_next_day(*m, now_), w.window),
                      "daily limit of mailbox " + m->row->email + " (" + std::to_string(m->limit) +
                          ") reached for " + m->day);
        return false;
    }
    use(w, *m);
    return true;
}

// The preview's mailbox, when it can still take this new start.
MailboxToday* MailboxAssignment::previewed(const StepWork& w) {
    if (!w.mailbox) return nullptr;
    const auto it = mailboxes_.find({w.step.organisation_id, w.mailbox->id});
    if (it == mailboxes_.end() || !it->second.active() || it->second.room_for_new_start() <= 0)
        return nullptr;
    const auto pool = pools_.find({w.step.organisation_id, w.step.campaign_id});
    if (pool == pools_.end()) return nullptr;
    for (const auto& e : pool->second)
        if (e.mailbox == &it->second) return &it->second;
    return nullptr;
}

bool MailboxAssignment::assign_from_pool(StepWork& w) {
    const auto it = pools_.find({w.step.organisation_id, w.step.campaign_id});
    const std::vector<PoolEntry> none;
    const auto& pool = it == pools_.end() ? none : it->second;
    auto* m = previewed(w);
    w.mailbox.reset();
    if (!m) m = choose_mailbox(pool);
    if (m) {
        use(w, *m);
        return true;
    }
    if (const auto wait = wait_for_followups(pool)) {
        out_.deferred(w, now_ + *wait, "the pool's mailboxes send their due follow-ups first");
        return false;
    }
    // Nobody has room: the earliest next local day of an active mailbox.
    std::optional<TimePoint> next_day;
    for (const auto& e : pool)
        if (e.mailbox->active()) {
            const auto t = mailbox_next_day(*e.mailbox, now_);
            if (!next_day || t < *next_day) next_day = t;
        }
    if (!next_day) {
        out_.deferred(w, now_ + settings_.mailbox_retry,
                      "no active mailbox in the campaign's pool");
        return false;
    }
    out_.deferred(w, next_window_time(*next_day, w.window),
                  "every mailbox of the campaign's pool is full today");
    return false;
}

void MailboxAssignment::use(StepWork& w, MailboxToday& m) {
    ++m.taken;
    w.mailbox = m.row;
    w.mailbox_day = m.day;
}

void MailboxAssignment::preview(const std::vector<StepWork*>& sends) {
    std::vector<StepWork*> pool_sends;
    for (auto* w : sends)
        if (uses_mailboxes(*w)) pool_sends.push_back(w);
    if (pool_sends.empty()) return;
    load(pool_sends, false);
    for (auto* w : pool_sends) {
        auto* m = known_mailbox(*w);
        if (!m) {
            const auto it = pools_.find({w->step.organisation_id, w->step.campaign_id});
            if (it != pools_.end()) m = choose_mailbox(it->second);
        }
        if (m) use(*w, *m);
    }
}

void MailboxAssignment::take(const std::vector<StepWork*>& going) {
    std::map<std::tuple<std::string, std::string, std::string>, int> counts;
    for (auto* w : going)
        if (w->mailbox) ++counts[{w->step.organisation_id, w->mailbox->id, w->mailbox_day}];
    std::vector<db::MailboxDaySlots> slots;
    for (const auto& [key, n] : counts)
        slots.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
    tx_.take_mailbox_slots(slots);
}

}  // namespace pf::scheduler
