#include "scheduler/send_reservation.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "scheduler/daily_limit.hpp"
#include "scheduler/sender_pacing.hpp"

namespace pf::scheduler {
namespace {

using Key = std::pair<std::string, std::string>;

Key enrollment_key(const StepWork& w) {
    return {w.step.organisation_id, w.step.enrollment_id};
}

Key sender_key(const StepWork& w) {
    return {w.step.organisation_id, w.step.from_email};
}

}  // namespace

std::vector<StepWork*> SendReservation::reserve(std::vector<StepWork*> ready) {
    if (ready.empty()) return {};
    auto sends = keep_active(std::move(ready));
    if (settings_.spacing_max.count() > 0) sends = pace_senders(std::move(sends));
    sends = take_daily_slots(std::move(sends));
    std::sort(sends.begin(), sends.end());  // pointers into the batch: the claim's order
    return sends;
}

std::vector<StepWork*> SendReservation::keep_active(std::vector<StepWork*> ready) {
    std::vector<Key> keys;
    for (auto* w : ready) keys.push_back(enrollment_key(*w));
    const auto active = tx_.active_enrollments(keys);
    std::vector<StepWork*> kept;
    for (auto* w : ready) {
        if (std::find(active.begin(), active.end(), enrollment_key(*w)) != active.end()) {
            kept.push_back(w);
            continue;
        }
        // Paused, stopped or replied since the claim: the next claim decides.
        out_.released(*w, "enrollment or campaign changed before sending",
                      "released: enrollment or campaign changed before sending");
    }
    return kept;
}

std::vector<StepWork*> SendReservation::pace_senders(std::vector<StepWork*> ready) {
    if (ready.empty()) return ready;
    std::vector<db::SenderSlot> wanted;
    for (auto* w : ready) wanted.push_back({w->step.organisation_id, w->step.from_email, 0});
    std::map<Key, db::SenderSlot> slots;
    for (auto& slot : tx_.lock_senders(wanted, to_micros(now_)))
        slots[{slot.organisation_id, slot.from_email}] = slot;
    std::vector<StepWork*> paced;
    for (auto* w : ready) {
        const auto decision = take_pacing_slot(
            slots.at(sender_key(*w)), now_, settings_.spacing_min, settings_.spacing_max, random_);
        if (decision.go_now)
            paced.push_back(w);
        else
            out_.deferred(*w, decision.wait_until, "pacing sends of " + w->step.from_email);
    }
    std::vector<db::SenderSlot> updated;
    for (const auto& [key, slot] : slots) updated.push_back(slot);
    tx_.set_senders(updated);
    return paced;
}

std::vector<StepWork*> SendReservation::take_daily_slots(std::vector<StepWork*> ready) {
    using Group = std::tuple<std::string, std::string, std::string>;  // org, campaign, day
    std::map<Group, std::vector<StepWork*>> groups;
    for (auto* w : ready) {
        w->cap_day = daily_limit_day(now_, w->campaign_zone);
        groups[{w->step.organisation_id, w->step.campaign_id, w->cap_day}].push_back(w);
    }
    std::vector<db::DailyCapRequest> requests;
    for (const auto& [group, members] : groups)
        requests.push_back({std::get<0>(group), std::get<1>(group), std::get<2>(group),
                            static_cast<int>(members.size())});
    std::vector<StepWork*> granted;
    for (const auto& g : tx_.reserve_daily(requests)) {
        const auto& members = groups[{g.organisation_id, g.campaign_id, g.local_day}];
        for (std::size_t i = 0; i < members.size(); ++i) {
            auto* w = members[i];
            if (static_cast<int>(i) < g.granted) {
                granted.push_back(w);
                continue;
            }
            out_.deferred(*w, after_daily_limit(now_, *w),
                          daily_limit_reason(w->step.daily_send_limit, g.local_day));
        }
    }
    return granted;
}

}  // namespace pf::scheduler
