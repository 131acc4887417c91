#include "scheduler/send_reservation.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "scheduler/daily_limit.hpp"
#include "scheduler/mailbox_assignment.hpp"
#include "scheduler/sender_pacing.hpp"

namespace pf::scheduler {
namespace {

using Key = std::pair<std::string, std::string>;

Key enrollment_key(const StepWork& w) {
    return {w.step.organisation_id, w.step.enrollment_id};
}

// Senders compare as the citext column does (without ASCII case).
std::string lower_ascii(std::string text) {
    for (auto& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

// Sends of a mailbox keep their mailbox's gap; the others the daemon's
// spacing (none when it is 0).
bool paced(const StepWork& w, const EngineSettings& settings) {
    return w.mailbox || settings.spacing_max.count() > 0;
}

}  // namespace

// Follow-ups take slots before new first steps: an enrollment already
// contacted must not wait a day behind prospects who were not.
std::vector<StepWork*> SendReservation::reserve(std::vector<StepWork*> ready) {
    if (ready.empty()) return {};
    auto sends = keep_active(std::move(ready));
    std::stable_partition(sends.begin(), sends.end(),
                          [](const StepWork* w) { return w->step.contacted; });
    MailboxAssignment mailboxes(tx_, settings_, now_, out_);
    sends = mailboxes.assign(std::move(sends));
    sends = pace_senders(std::move(sends));
    sends = take_daily_slots(std::move(sends));
    sends = take_start_slots(std::move(sends));
    mailboxes.take(sends);
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
    std::vector<db::SenderSlot> wanted;
    for (auto* w : ready)
        if (paced(*w, settings_)) wanted.push_back({w->step.organisation_id, w->sender_email(), 0});
    if (wanted.empty()) return ready;
    std::map<Key, db::SenderSlot> slots;
    for (auto& slot : tx_.lock_senders(wanted, to_micros(now_)))
        slots[{lower_ascii(slot.organisation_id), lower_ascii(slot.from_email)}] = slot;
    std::vector<StepWork*> going;
    for (auto* w : ready) {
        if (!paced(*w, settings_)) {
            going.push_back(w);
            continue;
        }
        const auto gap = w->mailbox ? mailbox_gap(*w->mailbox)
                                    : MailboxGap{settings_.spacing_min, settings_.spacing_max};
        auto& slot =
            slots.at({lower_ascii(w->step.organisation_id), lower_ascii(w->sender_email())});
        const auto decision = take_pacing_slot(slot, now_, gap.min, gap.max, random_);
        if (decision.go_now)
            going.push_back(w);
        else
            out_.deferred(*w, decision.wait_until, "pacing sends of " + w->sender_email());
    }
    std::vector<db::SenderSlot> updated;
    for (const auto& [key, slot] : slots) updated.push_back(slot);
    tx_.set_senders(updated);
    return going;
}

// campaigns.max_new_per_day: first sends (enrollments never contacted) per
// campaign-local day, counted with the daily limit's row.
std::vector<StepWork*> SendReservation::take_start_slots(std::vector<StepWork*> ready) {
    using Group = std::tuple<std::string, std::string, std::string>;  // org, campaign, day
    std::map<Group, std::vector<StepWork*>> groups;
    std::vector<StepWork*> going;
    for (auto* w : ready) {
        if (w->step.contacted || !w->step.max_new_per_day)
            going.push_back(w);
        else
            groups[{w->step.organisation_id, w->step.campaign_id, w->cap_day}].push_back(w);
    }
    if (groups.empty()) return ready;
    std::vector<db::DailyCapRequest> requests;
    for (const auto& [group, members] : groups)
        requests.push_back({std::get<0>(group), std::get<1>(group), std::get<2>(group),
                            static_cast<int>(members.size())});
    for (const auto& g : tx_.reserve_starts(requests)) {
        const auto& members = groups[{g.organisation_id, g.campaign_id, g.local_day}];
        for (std::size_t i = 0; i < members.size(); ++i) {
            auto* w = members[i];
            if (static_cast<int>(i) < g.granted) {
                going.push_back(w);
                continue;
            }
            w->mailbox_day.clear();  // its mailbox slot is not taken yet
            out_.give_back_daily_slot(*w);
            out_.deferred(*w, after_daily_limit(now_, *w),
                          "campaign's new enrollments per day (" +
                              std::to_string(*w->step.max_new_per_day) + ") reached for " +
                              g.local_day);
        }
    }
    return going;
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
