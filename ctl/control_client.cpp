#include "ctl/control_client.hpp"

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "build_info.hpp"

namespace pf::ctl {
namespace {

using nlohmann::json;

constexpr int kExitOk = 0, kExitRefused = 1, kExitUsage = 64, kExitUnavailable = 69;

std::string text(const json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return "-";
    if (j[key].is_string()) return j[key].get<std::string>();
    return j[key].dump();
}

struct Target {
    std::string url = "http://127.0.0.1:8470";
    std::string token;
    int timeout_seconds = 60;
    bool json_output = false;
};

struct Answer {
    int status = 0;
    json body;
    std::string raw;
};

// Trims the trailing newline a token file usually has.
std::string read_token_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read token file " + path);
    std::string token;
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    return token;
}

Answer call(const Target& target, const std::string& method, const std::string& path,
            const std::string& body = "") {
    httplib::Client client(target.url);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(target.timeout_seconds, 0);
    client.set_write_timeout(target.timeout_seconds, 0);
    httplib::Headers headers;
    if (!target.token.empty()) headers.emplace("Authorization", "Bearer " + target.token);
    auto result = method == "GET" ? client.Get(path.c_str(), headers)
                                  : client.Post(path.c_str(), headers, body, "application/json");
    if (!result) {
        throw std::runtime_error("cannot reach the control port at " + target.url + ": " +
                                 httplib::to_string(result.error()));
    }
    Answer a;
    a.status = result->status;
    a.raw = result->body;
    try {
        a.body = json::parse(result->body);
    } catch (const json::parse_error&) {
        a.body = nullptr;
    }
    return a;
}

}  // namespace

std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], row[i].size());
    std::ostringstream out;
    const auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            out << cells[i];
            if (i + 1 < cells.size()) out << std::string(width[i] - cells[i].size() + 2, ' ');
        }
        out << '\n';
    };
    line(header);
    for (const auto& row : rows) line(row);
    return out.str();
}

std::string format_status(const json& s) {
    std::ostringstream out;
    out << "instance      " << text(s, "instance") << '\n'
        << "version       " << text(s, "version") << '\n'
        << "uptime        " << static_cast<long long>(s.value("uptime_seconds", 0.0)) << " s\n"
        << "workers       " << text(s, "workers_busy") << " busy of " << text(s, "workers") << '\n'
        << "draining      " << (s.value("draining", false) ? "yes" : "no") << '\n'
        << "adapter       " << text(s, "adapter") << '\n';
    if (s.contains("queue") && s["queue"].is_object()) {
        const auto& q = s["queue"];
        out << "queue         " << text(q, "due") << " due, " << text(q, "scheduled")
            << " scheduled, " << text(q, "running") << " running; oldest due "
            << q.value("oldest_due_seconds", 0.0) << " s\n";
    } else {
        out << "queue         unknown (" << text(s, "database_error") << ")\n";
    }
    if (s.contains("tasks")) {
        const auto& t = s["tasks"];
        out << "tasks         " << text(t, "claimed") << " claimed, " << text(t, "succeeded")
            << " succeeded, " << text(t, "failed") << " failed, " << text(t, "retried")
            << " retried, " << text(t, "held") << " held\n";
    }
    if (s.contains("messages")) {
        out << "messages      " << text(s["messages"], "sent") << " sent, "
            << text(s["messages"], "failed") << " failed\n";
    }
    // Every daemon on this database that beat within the instance timeout.
    if (s.contains("instances") && s["instances"].is_array()) {
        out << "instances     " << s["instances"].size() << " live\n";
        for (const auto& i : s["instances"])
            out << "  " << text(i, "id") << (i.value("self", false) ? " (this one)" : "") << ", "
                << text(i, "version") << ", started " << text(i, "started_at") << ", beat "
                << text(i, "heartbeat_at") << '\n';
    }
    return out.str();
}

std::string format_campaigns(const json& answer) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : answer.value("campaigns", json::array())) {
        const auto& e = c["enrollments"];
        const auto& t = c["tasks"];
        rows.push_back({text(c, "id"), text(c, "name"), text(c, "status"), text(e, "active"),
                        text(e, "completed"), text(e, "stopped"), text(e, "failed"), text(t, "due"),
                        text(t, "scheduled"), text(t, "running"), text(t, "failed"),
                        text(c, "messages_sent")});
    }
    if (rows.empty()) return "no campaigns\n";
    return format_table({"ID", "NAME", "STATUS", "ACTIVE", "COMPLETED", "STOPPED", "FAILED", "DUE",
                         "SCHEDULED", "RUNNING", "TASKS FAILED", "SENT"},
                        rows);
}

std::string format_mailboxes(const json& answer) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : answer.value("mailboxes", json::array())) {
        const auto inbound = m.value("inbound", json::object());
        const bool reads = inbound.value("enabled", false);
        rows.push_back({text(m, "id"), text(m, "email"), text(m, "status"),
                        text(m, "sent_today") + "/" + text(m, "limit_today"),
                        text(m, "status_reason"), reads ? text(inbound, "mode") : "-",
                        reads ? text(inbound, "last_poll_at") : "-",
                        reads ? text(inbound, "last_error") : "-"});
    }
    if (rows.empty()) return "no mailboxes\n";
    return format_table(
        {"ID", "EMAIL", "STATUS", "TODAY", "REASON", "INBOUND", "LAST POLL", "INBOUND ERROR"},
        rows);
}

int run(int argc, char** argv) {
    CLI::App app{"prospectflowctl: operate a running prospectflowd through its control port"};
    app.require_subcommand(1);
    Target target;
    if (const char* url = std::getenv("PROSPECTFLOW_CONTROL_URL")) target.url = url;
    std::string token_flag, token_file;
    app.add_option(
        "--url", target.url,
        "control port URL (default http://127.0.0.1:8470, env PROSPECTFLOW_CONTROL_URL)");
    app.add_option("--token", token_flag, "bearer token (env PROSPECTFLOW_CONTROL_TOKEN)");
    app.add_option("--token-file", token_file, "file holding the bearer token");
    app.add_option("--timeout", target.timeout_seconds, "seconds to wait for an answer")
        ->check(CLI::Range(1, 3600));
    app.add_flag("--json", target.json_output, "print the daemon's JSON answer as it is");
    app.set_version_flag("--version", std::string(build_info::version));

    std::string org, id, reason;
    auto* status = app.add_subcommand("status", "the daemon's status");
    auto* campaigns = app.add_subcommand("campaigns", "an organisation's campaigns with counts");
    campaigns->add_option("organisation", org, "organisation id")->required();
    auto* pause = app.add_subcommand("pause", "pause a campaign: no new email until resume");
    auto* resume = app.add_subcommand("resume", "resume a paused campaign");
    for (auto* sub : {pause, resume}) {
        sub->add_option("organisation", org, "organisation id")->required();
        sub->add_option("campaign", id, "campaign id")->required();
        sub->add_option("--reason", reason, "logged by the daemon");
    }
    auto* retry = app.add_subcommand("retry", "run a failed (or held) task again");
    retry->add_option("organisation", org, "organisation id")->required();
    retry->add_option("task", id, "task id")->required();
    auto* mailboxes = app.add_subcommand("mailboxes", "an organisation's sender mailboxes, today");
    mailboxes->add_option("--organisation,organisation", org, "organisation id")->required();
    auto* mailbox = app.add_subcommand("mailbox", "pause or resume a sender mailbox");
    mailbox->require_subcommand(1);
    auto* mailbox_pause =
        mailbox->add_subcommand("pause", "pause a mailbox: its sends wait until resume");
    auto* mailbox_resume =
        mailbox->add_subcommand("resume", "resume a mailbox: what waited for it is due now");
    for (auto* sub : {mailbox_pause, mailbox_resume}) {
        sub->add_option("--organisation", org, "organisation id")->required();
        sub->add_option("mailbox", id, "mailbox id")->required();
        sub->add_option("--reason", reason, "logged by the daemon (and kept on a pause)");
    }
    auto* drain = app.add_subcommand("drain", "stop claiming (rolling deploys)");
    auto* undrain = app.add_subcommand("undrain", "claim again");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }

    try {
        if (!token_flag.empty()) {
            target.token = token_flag;
        } else if (!token_file.empty()) {
            target.token = read_token_file(token_file);
        } else if (const char* env = std::getenv("PROSPECTFLOW_CONTROL_TOKEN")) {
            target.token = env;
        }
    } catch (const std::exception& e) {
        std::cerr << "prospectflowctl: " << e.what() << '\n';
        return kExitUsage;
    }

    const std::string body = reason.empty() ? "{}" : json{{"reason", reason}}.dump();
    std::string method = "GET", path;
    if (status->parsed()) {
        path = "/v1/status";
    } else if (campaigns->parsed()) {
        path = "/v1/organisations/" + org + "/campaigns";
    } else if (pause->parsed() || resume->parsed()) {
        method = "POST";
        path = "/v1/organisations/" + org + "/campaigns/" + id +
               (pause->parsed() ? "/pause" : "/resume");
    } else if (mailboxes->parsed()) {
        path = "/v1/organisations/" + org + "/mailboxes";
    } else if (mailbox->parsed()) {
        method = "POST";
        path = "/v1/organisations/" + org + "/mailboxes/" + id +
               (mailbox_pause->parsed() ? "/pause" : "/resume");
    } else if (retry->parsed()) {
        method = "POST";
        path = "/v1/organisations/" + org + "/tasks/" + id + "/retry";
    } else if (drain->parsed() || undrain->parsed()) {
        method = "POST";
        path = drain->parsed() ? "/v1/drain" : "/v1/undrain";
    }

    Answer answer;
    try {
        answer = call(target, method, path, body);
    } catch (const std::exception& e) {
        std::cerr << "prospectflowctl: " << e.what() << '\n';
        return kExitUnavailable;
    }
    if (answer.status >= 400) {
        const auto message = answer.body.is_object() && answer.body.contains("error")
                                 ? answer.body["error"].get<std::string>()
                                 : answer.raw;
        std::cerr << "prospectflowctl: the daemon answered " << answer.status << ": " << message
                  << '\n';
        return kExitRefused;
    }
    if (target.json_output) {
        std::cout << (answer.body.is_null() ? answer.raw : answer.body.dump(2) + "\n");
        return kExitOk;
    }
    const auto& b = answer.body;
    if (status->parsed()) {
        std::cout << format_status(b);
    } else if (campaigns->parsed()) {
        std::cout << format_campaigns(b);
    } else if (pause->parsed() || resume->parsed()) {
        std::cout << "campaign " << id << ": " << text(b, "status")
                  << (b.value("changed", false) ? "" : " (it already was)") << '\n';
        if (b.contains("message")) std::cout << text(b, "message") << '\n';
    } else if (mailboxes->parsed()) {
        std::cout << format_mailboxes(b);
    } else if (mailbox->parsed()) {
        std::cout << "mailbox " << text(b, "email") << " (" << id << "): " << text(b, "status")
                  << (b.value("changed", false) ? "" : " (it already was)") << '\n';
        if (b.contains("tasks_due_now"))
            std::cout << text(b, "tasks_due_now") << " waiting task(s) due now\n";
    } else if (retry->parsed()) {
        std::cout << "task " << id << ": " << text(b, "detail") << '\n';
    } else {
        std::cout << (b.value("draining", false) ? "draining: no new claims"
                                                 : "undrained: claiming")
                  << '\n';
    }
    // 202: paused, but sends were still in flight when the wait ran out.
    return answer.status == 202 ? kExitRefused : kExitOk;
}

}  // namespace pf::ctl
