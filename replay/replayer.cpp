#include "replay/replayer.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <pqxx/pqxx>

#include "adapters/email_generator.hpp"
#include "adapters/send_adapter.hpp"
#include "db/control_store.hpp"
#include "db/engine_store.hpp"
#include "db/fixture_store.hpp"
#include "db/migration_source.hpp"
#include "db/migrator.hpp"
#include "db/tracking_store.hpp"
#include "scheduler/random_source.hpp"
#include "scheduler/send_window.hpp"
#include "scheduler/step_runner.hpp"

namespace pf::replay {
namespace {

using nlohmann::ordered_json;
using scheduler::TimePoint;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

adapters::SendResult scripted_failure(const ScriptedEvent& rule) {
    using adapters::SenderProblem;
    if (rule.outcome == "permanent") return adapters::SendResult::permanent(rule.reason);
    if (rule.outcome == "authentication")
        return adapters::SendResult::sender_failed(SenderProblem::authentication, rule.reason);
    if (rule.outcome == "connection")
        return adapters::SendResult::sender_failed(SenderProblem::connection, rule.reason);
    return adapters::SendResult::transient(rule.reason);
}

// Accepts every email unless a scripted adapter_failure says otherwise
// (recipients compare without case, as the citext columns do).
class ReplayAdapter final : public adapters::SendAdapter {
  public:
    std::string_view name() const override { return "replay"; }

    adapters::SendResult send(const adapters::OutboundEmail& email) override {
        for (auto& rule : failures_) {
            if (rule.count == 0 ||
                (!rule.recipient.empty() && lower(rule.recipient) != lower(email.to_email)) ||
                (!rule.from.empty() && lower(rule.from) != lower(email.from_email)))
                continue;
            --rule.count;
            return scripted_failure(rule);
        }
        return adapters::SendResult::sent("replay-" + std::to_string(++sent_));
    }

    void add_failure(const ScriptedEvent& e) { failures_.push_back(e); }

  private:
    std::vector<ScriptedEvent> failures_;
    std::size_t sent_ = 0;
};

// Builds the transcript lines; keys in a fixed order, empty fields left out.
class Transcript final : public scheduler::StepObserver {
  public:
    explicit Transcript(const nlohmann::json& document) {
        const auto& tables = document.at("tables");
        const auto rows = [&](const char* t) {
            return tables.contains(t) ? tables.at(t) : nlohmann::json::array();
        };
        for (const auto& c : rows("outreach.campaigns"))
            campaign_zone_[c.value("id", "")] = c.value("timezone", "Europe/Paris");
        std::map<std::string, std::string> person_zone;
        for (const auto& p : rows("crm.people"))
            if (p.contains("timezone") && p["timezone"].is_string())
                person_zone[p.value("id", "")] = p["timezone"].get<std::string>();
        for (const auto& e : rows("outreach.campaign_enrollments")) {
            const auto campaign = e.value("campaign_id", "");
            enrollment_campaign_[e.value("id", "")] = campaign;
            const auto pz = person_zone.find(e.value("person_id", ""));
            enrollment_zone_[e.value("id", "")] =
                pz != person_zone.end() ? pz->second : campaign_zone_[campaign];
        }
    }

    void on_step_event(const scheduler::StepEvent& e) override {
        ordered_json line;
        stamp(line, e.at, e.zone);
        line["event"] = e.kind;
        line["organisation"] = e.organisation_id;
        line["campaign"] = e.campaign_id;
        line["enrollment"] = e.enrollment_id;
        line["step"] = e.step_order;
        if (!e.variant_label.empty()) line["variant"] = e.variant_label;
        if (!e.recipient.empty()) line["recipient"] = e.recipient;
        if (!e.mailbox.empty()) line["mailbox"] = e.mailbox;
        if (!e.subject.empty()) line["subject"] = e.subject;
        if (!e.outcome.empty()) line["outcome"] = e.outcome;
        if (!e.reason.empty()) line["reason"] = e.reason;
        if (e.next_at) line["next_at"] = format_utc(*e.next_at);
        if (e.kind == "send") ++sends;
        lines.push_back(line.dump());
    }

    void scripted(const ScriptedEvent& e, TimePoint at, const std::string& outcome) {
        ordered_json line;
        std::string campaign = e.campaign_id, zone;
        if (!e.enrollment_id.empty()) {
            campaign = lookup(enrollment_campaign_, e.enrollment_id);
            zone = lookup(enrollment_zone_, e.enrollment_id);
        } else if (!campaign.empty()) {
            zone = lookup(campaign_zone_, campaign);
        }
        stamp(line, at, zone);
        line["event"] = e.type;
        line["organisation"] = e.organisation_id;
        if (!campaign.empty()) line["campaign"] = campaign;
        if (!e.enrollment_id.empty()) line["enrollment"] = e.enrollment_id;
        if (!e.recipient.empty()) line["recipient"] = e.recipient;
        if (!e.from.empty()) line["from"] = e.from;
        if (!e.mailbox_id.empty()) line["mailbox"] = e.mailbox_id;
        if (e.type == "adapter_failure") line["count"] = e.count;
        line["outcome"] = outcome;
        if (!e.reason.empty()) line["reason"] = e.reason;
        lines.push_back(line.dump());
    }

    void lease_rescue(TimePoint at, std::size_t tasks) {
        ordered_json line;
        stamp(line, at, {});
        line["event"] = "lease-expired";
        line["outcome"] =
            std::to_string(tasks) + " task(s) left running by a daemon back to pending";
        lines.push_back(line.dump());
    }

    std::vector<std::string> lines;
    std::size_t sends = 0;

  private:
    static std::string lookup(const std::map<std::string, std::string>& m, const std::string& key) {
        const auto it = m.find(key);
        return it == m.end() ? std::string() : it->second;
    }
    static void stamp(ordered_json& line, TimePoint at, const std::string& zone_name) {
        const date::time_zone* zone = nullptr;
        if (!zone_name.empty()) {
            try {
                zone = scheduler::find_time_zone(zone_name);
            } catch (const std::exception&) {
                zone = nullptr;
            }
        }
        line["at"] = format_utc(at);
        line["local"] = format_local(at, zone);
        if (zone) line["zone"] = zone_name;
    }

    std::map<std::string, std::string> campaign_zone_, enrollment_zone_, enrollment_campaign_;
};

std::string change_outcome(const db::CampaignChange& c) {
    switch (c.outcome) {
        case db::ChangeOutcome::changed:
            return "campaign " + c.status;
        case db::ChangeOutcome::unchanged:
            return "unchanged: campaign already " + c.status;
        case db::ChangeOutcome::not_found:
            return "no such campaign";
        case db::ChangeOutcome::conflict:
            return "refused: campaign is " + c.status;
    }
    return "";
}

std::string mailbox_outcome(const db::MailboxChange& c) {
    switch (c.outcome) {
        case db::ChangeOutcome::changed:
            return "mailbox " + c.status +
                   (c.tasks_woken > 0 ? ", " + std::to_string(c.tasks_woken) + " task(s) due now"
                                      : "");
        case db::ChangeOutcome::unchanged:
            return "unchanged: mailbox already " + c.status;
        case db::ChangeOutcome::not_found:
            return "no such mailbox";
        case db::ChangeOutcome::conflict:
            return "refused: mailbox is " + c.status;
    }
    return "";
}

// Applies one scripted event through the code that handles the real thing
// (the tracking listener's and the control port's SQL); returns its outcome.
std::string apply(const ScriptedEvent& e, pqxx::connection& connection, ReplayAdapter& adapter,
                  TimePoint now) {
    db::FixtureStore fixtures(connection);
    db::TrackingStore tracking(connection);
    db::ControlStore control(connection);
    if (e.type == "pause") return change_outcome(control.pause(e.organisation_id, e.campaign_id));
    if (e.type == "resume") return change_outcome(control.resume(e.organisation_id, e.campaign_id));
    if (e.type == "mailbox_pause")
        return mailbox_outcome(control.pause_mailbox(e.organisation_id, e.mailbox_id, e.reason));
    if (e.type == "mailbox_resume")
        return mailbox_outcome(control.resume_mailbox(e.organisation_id, e.mailbox_id));
    if (e.type == "adapter_failure") {
        adapter.add_failure(e);
        return "the next " + std::to_string(e.count) + " send(s)" +
               (e.recipient.empty() ? "" : " to " + e.recipient) +
               (e.from.empty() ? "" : " from " + e.from) + " fail " + e.outcome;
    }
    if (fixtures.enrollment_status(e.organisation_id, e.enrollment_id).empty())
        return "ignored: no such enrollment";
    const auto latest = fixtures.latest_outbound(e.organisation_id, e.enrollment_id);
    if (!latest) return "ignored: no email was sent to this enrollment yet";
    db::EventResult result;
    if (e.type == "reply") {
        db::InboundReply reply;
        reply.refers_to = {latest->rfc_message_id};
        reply.message_id = "replay-" + std::to_string(e.index) + "@reply.invalid";
        reply.subject = "Re: scripted reply";
        reply.body_text = e.reason.empty() ? "Scripted reply." : e.reason;
        result = tracking.record_reply(reply);
    } else if (e.type == "bounce") {
        result = tracking.record_bounce(
            {latest->rfc_message_id, e.hard, e.hard ? "5.1.1" : "4.2.2", e.reason});
    } else if (e.type == "unsubscribe") {
        if (latest->pixel_token.empty()) return "ignored: the email has no unsubscribe token";
        result = tracking.unsubscribe(latest->pixel_token);
    } else if (e.type == "open") {
        if (latest->pixel_token.empty()) return "ignored: the email has no tracking token";
        const auto at = scheduler::to_micros(now);
        return tracking.record_opens({{latest->pixel_token, 1, at, at}}) == 1 ? "recorded"
                                                                              : "ignored";
    }
    if (!result.matched) return "ignored: no matching email";
    return "recorded; enrollment " + fixtures.enrollment_status(e.organisation_id, e.enrollment_id);
}

void check_columns(db::FixtureStore& store, const std::vector<db::TableRows>& rows) {
    std::map<std::string, std::vector<std::string>> known;
    for (const auto& group : rows) {
        auto& columns = known[group.table];
        if (columns.empty()) columns = store.columns_of(group.table);
        for (const auto& c : group.columns)
            if (std::find(columns.begin(), columns.end(), c) == columns.end())
                throw FixtureError("tables." + group.table + ": \"" + c + "\" is not a column of " +
                                   group.table);
    }
}

}  // namespace

ReplayResult replay(const std::string& database_url, const Fixture& fixture,
                    const ReplayOptions& options) {
    ReplayResult result;
    result.from = options.from   ? *options.from
                  : fixture.from ? *fixture.from
                  : fixture.recorded_at
                      ? *fixture.recorded_at
                      : throw ReplayError(
                            "no start time: the fixture has neither replay.from nor recorded_at; "
                            "give --from");
    if (options.until)
        result.until = *options.until;
    else if (options.duration)
        result.until = result.from + *options.duration;
    else if (fixture.until)
        result.until = *fixture.until;
    else if (fixture.duration)
        result.until = result.from + *fixture.duration;
    else
        result.until = result.from + kDefaultHorizon;
    if (result.until < result.from)
        throw ReplayError("the replay would end (" + format_utc(result.until) +
                          ") before it starts (" + format_utc(result.from) + ")");

    pqxx::connection connection(database_url);
    db::Migrator(connection, db::embedded_migrations()).migrate();
    db::FixtureStore fixtures(connection);
    fixtures.use_sequential_task_ids();
    const auto rows = table_rows(fixture);
    check_columns(fixtures, rows);
    fixtures.load(rows);

    scheduler::ManualClock clock(result.from);
    scheduler::RandomSource random(fixture.settings.seed);
    scheduler::EngineCounters counters;
    scheduler::EngineSettings settings;
    const auto& s = fixture.settings;
    settings.instance_id = "replay";
    settings.batch_size = s.batch_size;
    settings.in_flight_chunk = s.in_flight_chunk;
    settings.backoff = {s.retry_base, s.retry_max};
    settings.spacing_min = s.spacing_min;
    settings.spacing_max = s.spacing_max;
    settings.unknown_outcome = s.resend_unknown ? scheduler::UnknownOutcomePolicy::resend
                                                : scheduler::UnknownOutcomePolicy::hold;
    settings.message_id_domain = s.message_id_domain;
    // Emails are built as in production (MIME, List-Unsubscribe, pixel).
    settings.tracking_base_url = "https://track.replay.invalid";

    // Every prompt renders its own templates: a replay calls no model.
    adapters::GeneratorSet generators;
    generators.add("template", std::make_unique<adapters::TemplateGenerator>());
    generators.add("openai", std::make_unique<adapters::TemplateGenerator>());

    ReplayAdapter adapter;
    Transcript transcript(fixture.document);
    db::EngineStore store(connection, true);
    scheduler::StepRunner runner(store, adapter, generators, clock, random, settings, counters);
    runner.set_observer(&transcript);

    // Tasks a daemon was running when the fixture was dumped: their leases
    // expire as after a crash, and the engine's lease rescue takes them back.
    std::vector<TimePoint> expiries;
    for (const auto micros : fixtures.lease_expiries())
        expiries.push_back(scheduler::from_micros(micros));
    std::size_t next_expiry = 0;

    std::size_t next_event = 0;
    const auto& events = fixture.events;
    while (true) {
        const auto now = clock.now();
        if (next_expiry < expiries.size() && expiries[next_expiry] <= now) {
            while (next_expiry < expiries.size() && expiries[next_expiry] <= now) ++next_expiry;
            const auto rescued = store.rescue_expired_leases(scheduler::to_micros(now));
            transcript.lease_rescue(now, rescued);
        }
        for (; next_event < events.size() && events[next_event].at <= now; ++next_event) {
            const auto& e = events[next_event];
            transcript.scripted(e, std::max(e.at, result.from), apply(e, connection, adapter, now));
            ++result.events;
        }
        // Batches until nothing is due now. A batch smaller than batch_size
        // took everything due; only what it made due itself can be left, so
        // one look at the next due time (needed anyway) replaces an empty claim.
        std::optional<db::Micros> due;
        while (true) {
            if (options.interrupted && options.interrupted->load()) {
                runner.finish_in_flight();
                result.interrupted = true;
                break;
            }
            const auto claimed = runner.run_batch();
            if (claimed == 0) {
                due = store.next_due(scheduler::to_micros(now));
                break;
            }
            ++result.batches;
            // As autovacuum would in service: statistics that follow the
            // tables' growth (every 1,000 batches, in no way visible in the
            // transcript: plans change speed, not results).
            if (result.batches % 1000 == 0) fixtures.analyze_queue();
            if (claimed < static_cast<std::size_t>(settings.batch_size)) {
                runner.finish_in_flight();  // the batch's outcomes, written before looking
                due = store.next_due(scheduler::to_micros(now) - 1);
                if (!due || *due > scheduler::to_micros(now)) break;
            }
        }
        if (result.interrupted) break;
        std::optional<TimePoint> next;
        if (due) next = scheduler::from_micros(*due);
        if (next_event < events.size() && (!next || events[next_event].at < *next))
            next = events[next_event].at;
        if (next_expiry < expiries.size() && (!next || expiries[next_expiry] < *next))
            next = expiries[next_expiry];
        if (!next || *next > result.until) break;
        clock.set(std::max(*next, now));
    }
    result.ended = clock.now();
    result.sends = transcript.sends;
    result.lines = std::move(transcript.lines);
    return result;
}

}  // namespace pf::replay
