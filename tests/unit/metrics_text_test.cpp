#include "daemon/metrics_text.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("metrics: per-mailbox sends and sender failures, labels escaped") {
    pf::scheduler::EngineCounters counters;
    counters.mailboxes.count("anna@sender.example", true, false);
    counters.mailboxes.count("anna@sender.example", true, false);
    counters.mailboxes.count("anna@sender.example", false, true);
    counters.mailboxes.count("odd\"name\\@sender.example", false, false);
    pf::daemon::MetricsSnapshot m;
    m.counters = &counters;
    m.adapter = "log";
    const auto text = pf::daemon::render_metrics(m);
    CHECK(has_line(text, "# TYPE prospectflow_mailbox_sends_total counter"));
    CHECK(has_line(text, "# TYPE prospectflow_mailbox_sender_failures_total counter"));
    CHECK(has_line(
        text,
        R"(prospectflow_mailbox_sends_total{mailbox="anna@sender.example",outcome="sent"} 2)"));
    CHECK(has_line(
        text,
        R"(prospectflow_mailbox_sends_total{mailbox="anna@sender.example",outcome="failed"} 1)"));
    CHECK(has_line(
        text, R"(prospectflow_mailbox_sender_failures_total{mailbox="anna@sender.example"} 1)"));
    CHECK(has_line(
        text,
        R"(prospectflow_mailbox_sends_total{mailbox="odd\"name\\@sender.example",outcome="failed"} 1)"));
    CHECK(has_line(
        text,
        R"(prospectflow_mailbox_sender_failures_total{mailbox="odd\"name\\@sender.example"} 0)"));
    // The existing families keep their names.
    CHECK(has_line(text, R"(prospectflow_messages_sent_total{adapter="log"} 0)"));
}

TEST_CASE("metrics: no mailbox used yet, the families are there without samples") {
    pf::scheduler::EngineCounters counters;
    pf::daemon::MetricsSnapshot m;
    m.counters = &counters;
    const auto text = pf::daemon::render_metrics(m);
    CHECK(has_line(text, "# TYPE prospectflow_mailbox_sends_total counter"));
    CHECK(text.find("prospectflow_mailbox_sends_total{") == std::string::npos);
}
