#pragma once
// What the control port does, without the HTTP: each call returns a status
// code and a JSON body (or Prometheus text). The HTTP server (control_server)
// routes, authenticates and limits; this class talks to the database, with
// its own connection, and to the engine.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <string>

#include "daemon/engine_handle.hpp"
#include "daemon/inbound_counters.hpp"
#include "scheduler/step_runner.hpp"

namespace pf::db {
class ControlStore;
}

namespace pf::daemon {

struct ApiResponse {
    int status = 200;
    nlohmann::json body;       // JSON answers
    std::string text;          // non-JSON answers (metrics)
    std::string content_type;  // set with text
};

struct ControlContext {
    std::string database_url;
    std::string instance;
    std::string version;
    std::chrono::system_clock::time_point started;
    std::chrono::seconds pause_wait{30};
    const scheduler::EngineCounters* counters = nullptr;
    const InboundCounters* inbound = nullptr;
    // Instances whose last beat is older are not listed as live.
    std::chrono::seconds instance_timeout{15};
};

class ControlApi {
  public:
    ControlApi(ControlContext context, EngineHandle& engine);
    ~ControlApi();
    ControlApi(const ControlApi&) = delete;
    ControlApi& operator=(const ControlApi&) = delete;

    ApiResponse health();
    ApiResponse ready();
    ApiResponse metrics();
    ApiResponse status();
    ApiResponse campaigns(const std::string& organisation_id);
    ApiResponse pause(const std::string& organisation_id, const std::string& campaign_id,
                      const std::string& reason);
    ApiResponse resume(const std::string& organisation_id, const std::string& campaign_id,
                       const std::string& reason);
    ApiResponse mailboxes(const std::string& organisation_id);
    ApiResponse pause_mailbox(const std::string& organisation_id, const std::string& mailbox_id,
                              const std::string& reason);
    ApiResponse resume_mailbox(const std::string& organisation_id, const std::string& mailbox_id,
                               const std::string& reason);
    ApiResponse retry_task(const std::string& organisation_id, const std::string& task_id);
    ApiResponse drain();
    ApiResponse undrain();

    static ApiResponse error(int status, const std::string& message);

  private:
    // Runs f(store) on the control connection, (re)connecting as needed; a
    // database that cannot be reached becomes a 503 answer.
    ApiResponse with_store(const std::function<ApiResponse(db::ControlStore&)>& f);

    ControlContext context_;
    EngineHandle& engine_;
    std::mutex mutex_;
    std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace pf::daemon
