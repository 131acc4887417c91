#include "daemon/control_api.hpp"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <pqxx/pqxx>
#include <thread>

#include "daemon/metrics_text.hpp"
#include "db/connection.hpp"
#include "db/control_store.hpp"
#include "db/embedded_migrations.hpp"
#include "db/migrator.hpp"

namespace pf::daemon {
namespace {

using nlohmann::json;

double unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// UTC, to the millisecond: 2026-12-02T10:00:03.250Z.
std::string iso_micros(std::int64_t micros) {
    const std::chrono::sys_time<std::chrono::milliseconds> t{
        std::chrono::milliseconds(micros / 1000)};
    return date::format("%FT%TZ", t);
}

json queue_json(const db::QueueStats& q) {
    return {{"due", q.due},
            {"scheduled", q.scheduled},
            {"running", q.running},
            {"oldest_due_seconds", q.oldest_due_seconds}};
}

json campaign_json(const db::CampaignSummary& c) {
    return {{"id", c.id},
            {"name", c.name},
            {"status", c.status},
            {"enrollments",
             {{"active", c.enrollments_active},
              {"paused", c.enrollments_paused},
              {"completed", c.enrollments_completed},
              {"stopped", c.enrollments_stopped},
              {"failed", c.enrollments_failed}}},
            {"tasks",
             {{"due", c.tasks_due},
              {"scheduled", c.tasks_scheduled},
              {"running", c.tasks_running},
              {"failed", c.tasks_failed}}},
            {"messages_sent", c.messages_sent}};
}

}  // namespace

ControlApi::ControlApi(ControlContext context, EngineHandle& engine)
    : context_(std::move(context)), engine_(engine) {}

ControlApi::~ControlApi() = default;

ApiResponse ControlApi::error(int status, const std::string& message) {
    return {status, json{{"error", message}}, "", ""};
}

ApiResponse ControlApi::with_store(const std::function<ApiResponse(db::ControlStore&)>& f) {
    std::lock_guard lock(mutex_);
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            if (!connection_ || !connection_->is_open())
                connection_ = db::connect(context_.database_url);
            db::ControlStore store(*connection_);
            return f(store);
        } catch (const pqxx::broken_connection& e) {
            // Once more on a fresh connection: the server may have restarted.
            connection_.reset();
            if (attempt == 1) return error(503, std::string("database unreachable: ") + e.what());
        } catch (const db::DatabaseUnavailable& e) {
            connection_.reset();
            return error(503, e.what());
        }
    }
    return error(503, "database unreachable");
}

ApiResponse ControlApi::health() {
    return {200, json{{"status", "ok"}}, "", ""};
}

ApiResponse ControlApi::ready() {
    json reasons = json::array();
    if (engine_.draining()) reasons.push_back("draining");
    const auto db = with_store([&](db::ControlStore& store) {
        store.ping();
        return ApiResponse{200, {}, "", ""};
    });
    if (db.status != 200) {
        reasons.push_back(db.body.value("error", "database unreachable"));
    } else {
        std::lock_guard lock(mutex_);
        try {
            db::Migrator migrator(*connection_, db::embedded_migrations());
            const auto plan = migrator.status();
            for (const auto& p : plan.problems) reasons.push_back("schema: " + p);
            if (!plan.pending.empty())
                reasons.push_back("schema: " + std::to_string(plan.pending.size()) +
                                  " migration(s) pending");
        } catch (const std::exception& e) {
            reasons.push_back(std::string("schema check failed: ") + e.what());
        }
    }
    if (reasons.empty()) return {200, json{{"ready", true}}, "", ""};
    std::string summary = "not ready:";
    for (const auto& r : reasons) summary += " " + r.get<std::string>() + ";";
    summary.pop_back();
    return {503, json{{"ready", false}, {"error", summary}, {"reasons", reasons}}, "", ""};
}

ApiResponse ControlApi::metrics() {
    MetricsSnapshot m;
    m.counters = context_.counters;
    m.inbound = context_.inbound;
    m.adapter = engine_.adapter_name();
    m.version = context_.version;
    m.workers = engine_.workers();
    m.workers_busy = engine_.busy_workers();
    m.db_connections_open = engine_.open_connections();
    m.draining = engine_.draining();
    m.start_time_seconds = unix_seconds(context_.started);
    const auto queue = with_store([&](db::ControlStore& store) {
        m.queue = store.queue_stats();
        return ApiResponse{};
    });
    (void)queue;  // on failure m.queue stays empty and prospectflow_database_up says 0
    return {200, {}, render_metrics(m), "text/plain; version=0.0.4; charset=utf-8"};
}

ApiResponse ControlApi::status() {
    json body{{"instance", context_.instance},
              {"version", context_.version},
              {"uptime_seconds",
               std::chrono::duration<double>(std::chrono::system_clock::now() - context_.started)
                   .count()},
              {"workers", engine_.workers()},
              {"workers_busy", engine_.busy_workers()},
              {"draining", engine_.draining()},
              {"adapter", engine_.adapter_name()}};
    const auto& c = *context_.counters;
    body["tasks"] = {{"claimed", c.claimed.load()},   {"succeeded", c.succeeded.load()},
                     {"failed", c.failed.load()},     {"retried", c.retried.load()},
                     {"deferred", c.deferred.load()}, {"held", c.held.load()},
                     {"released", c.released.load()}, {"cancelled", c.cancelled.load()}};
    body["messages"] = {{"sent", c.sent.load()}, {"failed", c.send_failed.load()}};
    const auto queue = with_store([&](db::ControlStore& store) {
        return ApiResponse{200, queue_json(store.queue_stats()), "", ""};
    });
    if (queue.status == 200) {
        body["queue"] = queue.body;
    } else {
        body["queue"] = nullptr;
        body["database_error"] = queue.body.value("error", "");
    }
    // Every daemon sharing the database that beat within instance_timeout
    // (this one included once its first beat is in).
    const auto since =
        std::chrono::duration_cast<std::chrono::microseconds>(
            (std::chrono::system_clock::now() - context_.instance_timeout).time_since_epoch())
            .count();
    const auto instances = with_store([&](db::ControlStore& store) {
        json list = json::array();
        for (const auto& i : store.live_instances(since))
            list.push_back({{"id", i.id},
                            {"host", i.host},
                            {"pid", i.pid},
                            {"version", i.version},
                            {"started_at", iso_micros(i.started_at_micros)},
                            {"heartbeat_at", iso_micros(i.heartbeat_at_micros)},
                            {"self", i.id == context_.instance}});
        return ApiResponse{200, list, "", ""};
    });
    body["instances"] = instances.status == 200 ? instances.body : json(nullptr);
    return {200, body, "", ""};
}

ApiResponse ControlApi::campaigns(const std::string& organisation_id) {
    return with_store([&](db::ControlStore& store) {
        if (!store.organisation_exists(organisation_id))
            return error(404, "no organisation " + organisation_id);
        json list = json::array();
        for (const auto& c : store.campaigns(organisation_id)) list.push_back(campaign_json(c));
        return ApiResponse{200, json{{"organisation_id", organisation_id}, {"campaigns", list}}, "",
                           ""};
    });
}

ApiResponse ControlApi::pause(const std::string& organisation_id, const std::string& campaign_id,
                              const std::string& reason) {
    auto changed = with_store([&](db::ControlStore& store) {
        const auto change = store.pause(organisation_id, campaign_id);
        switch (change.outcome) {
            case db::ChangeOutcome::not_found:
                return error(404,
                             "no campaign " + campaign_id + " in organisation " + organisation_id);
            case db::ChangeOutcome::conflict:
                return error(409, "campaign is " + change.status +
                                      "; only an active campaign can be paused");
            default:
                return ApiResponse{200,
                                   json{{"campaign_id", campaign_id},
                                        {"status", change.status},
                                        {"changed", change.outcome == db::ChangeOutcome::changed}},
                                   "", ""};
        }
    });
    if (changed.status != 200) return changed;
    if (changed.body["changed"].get<bool>())
        spdlog::info("control: campaign {} of {} paused{}", campaign_id, organisation_id,
                     reason.empty() ? "" : " (" + reason + ")");
    // Sends already committed before the pause may still be in an adapter's
    // hands; answer once none is, so that after this answer no email of the
    // campaign is handed over by any daemon.
    const auto deadline = std::chrono::steady_clock::now() + context_.pause_wait;
    long long in_flight = 0;
    for (;;) {
        const auto count = with_store([&](db::ControlStore& store) {
            return ApiResponse{200, json(store.in_flight(organisation_id, campaign_id)), "", ""};
        });
        if (count.status != 200) return count;
        in_flight = count.body.get<long long>();
        if (in_flight == 0 || std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    changed.body["in_flight"] = in_flight;
    if (in_flight > 0) {
        changed.status = 202;
        changed.body["message"] = "paused; " + std::to_string(in_flight) +
                                  " task(s) of this campaign were still in flight after " +
                                  std::to_string(context_.pause_wait.count()) +
                                  " s and may still send; ask again to wait for them";
    }
    return changed;
}

ApiResponse ControlApi::resume(const std::string& organisation_id, const std::string& campaign_id,
                               const std::string& reason) {
    return with_store([&](db::ControlStore& store) {
        const auto change = store.resume(organisation_id, campaign_id);
        switch (change.outcome) {
            case db::ChangeOutcome::not_found:
                return error(404,
                             "no campaign " + campaign_id + " in organisation " + organisation_id);
            case db::ChangeOutcome::conflict:
                return error(409, "campaign is " + change.status +
                                      "; only a paused campaign can be resumed");
            default:
                if (change.outcome == db::ChangeOutcome::changed)
                    spdlog::info("control: campaign {} of {} resumed{}", campaign_id,
                                 organisation_id, reason.empty() ? "" : " (" + reason + ")");
                return ApiResponse{200,
                                   json{{"campaign_id", campaign_id},
                                        {"status", change.status},
                                        {"changed", change.outcome == db::ChangeOutcome::changed}},
                                   "", ""};
        }
    });
}

ApiResponse ControlApi::retry_task(const std::string& organisation_id, const std::string& task_id) {
    return with_store([&](db::ControlStore& store) {
        const auto retry = store.retry_task(organisation_id, task_id);
        switch (retry.outcome) {
            case db::ChangeOutcome::not_found:
                return error(404, "no task " + task_id + " in organisation " + organisation_id);
            case db::ChangeOutcome::conflict:
                return error(409, retry.detail);
            default:
                spdlog::info("control: task {} of {} retried: {}", task_id, organisation_id,
                             retry.detail);
                return ApiResponse{
                    200,
                    json{{"task_id", task_id},
                         {"next_task_id",
                          retry.task_id.empty() ? json(nullptr) : json(retry.task_id)},
                         {"detail", retry.detail}},
                    "", ""};
        }
    });
}

ApiResponse ControlApi::drain() {
    const bool was = engine_.draining();
    engine_.set_draining(true);
    if (!was) spdlog::info("control: draining: no new claims until undrain");
    return {200, json{{"draining", true}, {"workers_busy", engine_.busy_workers()}}, "", ""};
}

ApiResponse ControlApi::undrain() {
    const bool was = engine_.draining();
    engine_.set_draining(false);
    if (was) spdlog::info("control: undrained: claiming again");
    return {200, json{{"draining", false}}, "", ""};
}

}  // namespace pf::daemon
