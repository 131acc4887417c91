#include "daemon/metrics_text.hpp"

#include <cstdio>
#include <map>
#include <sstream>

namespace pf::daemon {
namespace {

std::string escape_label(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string number(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}

class Writer {
  public:
    void family(const std::string& name, const std::string& type, const std::string& help) {
        out_ << "# HELP " << name << ' ' << help << '\n'
             << "# TYPE " << name << ' ' << type << '\n';
    }
    void sample(const std::string& name, const std::string& labels, double value) {
        out_ << name;
        if (!labels.empty()) out_ << '{' << labels << '}';
        out_ << ' ' << number(value) << '\n';
    }
    void histogram(const std::string& name, const std::string& help, const std::string& labels,
                   const scheduler::Histogram& histogram) {
        family(name, "histogram", help);
        const auto snap = histogram.snapshot();
        const std::string prefix = labels.empty() ? "" : labels + ",";
        for (std::size_t i = 0; i < scheduler::Histogram::kBounds.size(); ++i) {
            sample(name + "_bucket",
                   prefix + "le=\"" + number(scheduler::Histogram::kBounds[i]) + "\"",
                   static_cast<double>(snap.cumulative[i]));
        }
        sample(name + "_bucket", prefix + "le=\"+Inf\"",
               static_cast<double>(snap.cumulative.back()));
        sample(name + "_sum", labels, snap.sum_seconds);
        sample(name + "_count", labels, static_cast<double>(snap.cumulative.back()));
    }
    std::string str() const { return out_.str(); }

  private:
    std::ostringstream out_;
};

// Per sender mailbox (by address), since start: sends the mailbox's server
// accepted or refused, and the refusals that were the mailbox's own fault
// (authentication, connection), which count towards its error status.
void write_mailbox_counters(Writer& w,
                            const std::map<std::string, scheduler::MailboxCounters::Counts>& all) {
    w.family("prospectflow_mailbox_sends_total", "counter",
             "Sends through each sender mailbox, by outcome.");
    for (const auto& [email, counts] : all) {
        const std::string mailbox = "mailbox=\"" + escape_label(email) + "\"";
        w.sample("prospectflow_mailbox_sends_total", mailbox + ",outcome=\"sent\"",
                 static_cast<double>(counts.sent));
        w.sample("prospectflow_mailbox_sends_total", mailbox + ",outcome=\"failed\"",
                 static_cast<double>(counts.failed));
    }
    w.family("prospectflow_mailbox_sender_failures_total", "counter",
             "Sends a sender mailbox could not make itself (authentication or connection).");
    for (const auto& [email, counts] : all)
        w.sample("prospectflow_mailbox_sender_failures_total",
                 "mailbox=\"" + escape_label(email) + "\"",
                 static_cast<double>(counts.sender_failures));
}

// Inbound mail read over IMAP, since start, by what each message was.
void write_inbound_counters(Writer& w, const InboundCounters& c) {
    w.family("prospectflow_inbound_messages_total", "counter",
             "Inbound messages read from the mailboxes, by kind (duplicate: recorded before).");
    const std::pair<const char*, std::uint64_t> kinds[] = {
        {"reply", c.replies.load()},           {"hard_bounce", c.hard_bounces.load()},
        {"soft_bounce", c.soft_bounces.load()}, {"auto_reply", c.auto_replies.load()},
        {"unrelated", c.unrelated.load()},     {"duplicate", c.duplicates.load()}};
    for (const auto& [kind, n] : kinds)
        w.sample("prospectflow_inbound_messages_total", std::string("kind=\"") + kind + "\"",
                 static_cast<double>(n));
    w.family("prospectflow_inbound_read_errors_total", "counter",
             "Failed IMAP connections, logins or reads (the reader retries).");
    w.sample("prospectflow_inbound_read_errors_total", "", static_cast<double>(c.read_errors.load()));
    w.family("prospectflow_bounce_protection_pauses_total", "counter",
             "Mailboxes (to error) and campaigns (to paused) stopped by their hard-bounce rate.");
    w.sample("prospectflow_bounce_protection_pauses_total", "target=\"mailbox\"",
             static_cast<double>(c.mailboxes_paused.load()));
    w.sample("prospectflow_bounce_protection_pauses_total", "target=\"campaign\"",
             static_cast<double>(c.campaigns_paused.load()));
    w.family("prospectflow_inbound_mailboxes", "gauge", "Mailboxes this daemon reads now.");
    w.sample("prospectflow_inbound_mailboxes", "", c.mailboxes_read.load());
}

}  // namespace

std::string render_metrics(const MetricsSnapshot& m) {
    Writer w;
    const auto& c = *m.counters;
    const std::string kind = "kind=\"run_step\"";
    const auto counter = [&](const std::string& name, const std::string& help,
                             const std::string& labels, std::uint64_t value) {
        w.family(name, "counter", help);
        w.sample(name, labels, static_cast<double>(value));
    };
    counter("prospectflow_tasks_claimed_total", "Tasks claimed by this daemon.", kind,
            c.claimed.load());
    counter("prospectflow_tasks_succeeded_total",
            "Tasks done: the step was sent or skipped and the enrollment moved on.", kind,
            c.succeeded.load());
    counter("prospectflow_tasks_failed_total",
            "Tasks that failed their enrollment (permanent failure or attempts exhausted).", kind,
            c.failed.load());
    counter("prospectflow_tasks_retried_total",
            "Tasks put back with a backoff after a transient failure.", kind, c.retried.load());
    counter("prospectflow_tasks_deferred_total",
            "Tasks moved to a later time (sending window, daily limit, sender pacing).", kind,
            c.deferred.load());
    counter("prospectflow_tasks_held_total",
            "Tasks held for an operator (a send whose outcome is unknown).", kind, c.held.load());
    counter("prospectflow_tasks_released_total",
            "Tasks given back unrun (campaign paused or enrollment stopped meanwhile, shutdown).",
            kind, c.released.load());
    counter("prospectflow_tasks_cancelled_total",
            "Tasks cancelled because their enrollment or campaign ended.", kind,
            c.cancelled.load());
    const std::string adapter = "adapter=\"" + escape_label(m.adapter) + "\"";
    counter("prospectflow_messages_sent_total", "Messages the send adapter accepted.", adapter,
            c.sent.load());
    counter("prospectflow_messages_failed_total",
            "Messages the send adapter refused (transient or permanent).", adapter,
            c.send_failed.load());
    write_mailbox_counters(w, c.mailboxes.snapshot());
    if (m.inbound) write_inbound_counters(w, *m.inbound);
    w.histogram("prospectflow_send_duration_seconds", "Time spent in the send adapter per message.",
                adapter, c.send_seconds);
    w.histogram("prospectflow_generation_duration_seconds", "Time spent generating one email.", "",
                c.generation_seconds);
    w.histogram("prospectflow_claim_lag_seconds",
                "Delay between a task falling due and this daemon claiming it.", "",
                c.claim_lag_seconds);

    const auto gauge = [&](const std::string& name, const std::string& help, double value) {
        w.family(name, "gauge", help);
        w.sample(name, "", value);
    };
    if (m.queue) {
        w.family("prospectflow_queue_tasks", "gauge",
                 "Open tasks in the queue, all organisations: due now, scheduled later, running.");
        w.sample("prospectflow_queue_tasks", "state=\"due\"", static_cast<double>(m.queue->due));
        w.sample("prospectflow_queue_tasks", "state=\"scheduled\"",
                 static_cast<double>(m.queue->scheduled));
        w.sample("prospectflow_queue_tasks", "state=\"running\"",
                 static_cast<double>(m.queue->running));
        gauge("prospectflow_queue_oldest_due_age_seconds",
              "How long the oldest due task has waited (0 when none is due).",
              m.queue->oldest_due_seconds);
    }
    gauge("prospectflow_database_up", "1 when the last database query of this scrape worked.",
          m.queue ? 1 : 0);
    w.family("prospectflow_db_pool_connections", "gauge",
             "The engine's database connections: open, and in use by a busy worker.");
    w.sample("prospectflow_db_pool_connections", "state=\"open\"", m.db_connections_open);
    w.sample("prospectflow_db_pool_connections", "state=\"in_use\"", m.workers_busy);
    gauge("prospectflow_workers", "Engine workers configured.", m.workers);
    gauge("prospectflow_workers_busy", "Engine workers running a batch now.", m.workers_busy);
    gauge("prospectflow_draining", "1 while the daemon is drained (claims nothing).",
          m.draining ? 1 : 0);
    gauge("prospectflow_start_time_seconds", "Unix time the process started.",
          m.start_time_seconds);
    w.family("prospectflow_build_info", "gauge", "The daemon's version, as a label.");
    w.sample("prospectflow_build_info", "version=\"" + escape_label(m.version) + "\"", 1);
    return w.str();
}

}  // namespace pf::daemon
