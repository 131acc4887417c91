#include "db/engine_store.hpp"

#include <algorithm>
#include <pqxx/pqxx>

#include "db/claim_rows.hpp"
#include "db/engine_store_detail.hpp"
#include "db/pg_array.hpp"
#include "db/row_reader.hpp"
#include "db/statement_catalog.hpp"

namespace pf::db {
namespace {

VariantChoice variant_choice(const RowReader& in, const pqxx::row& r) {
    return {in.text(r, "organisation_id"), in.text(r, "enrollment_id"), in.text(r, "step_id"),
            in.text(r, "experiment_id"), in.text(r, "variant_id")};
}

WrittenMessage written_message(const RowReader& in, const pqxx::row& r) {
    return {in.text(r, "organisation_id"),
            in.text(r, "enrollment_id"),
            in.text(r, "message_id"),
            in.text(r, "rfc_message_id"),
            in.text(r, "from_email"),
            in.text(r, "to_email"),
            in.text(r, "subject"),
            in.text(r, "body"),
            in.nullable(r, "in_reply_to"),
            in.nullable(r, "body_html"),
            in.nullable(r, "tracking_token").value_or("")};
}

std::optional<std::string> micros_text(const std::optional<Micros>& m) {
    if (!m) return std::nullopt;
    return std::to_string(*m);
}

}  // namespace

// No JIT for the engine's statements: the claim and next_due are short
// index walks, but with a million tasks their estimated cost passes
// jit_above_cost, and compiling them took 100-250 ms a call (the claim of 100
// went from 6 to 264 ms). On a direct connection the session says so once;
// behind PgBouncer in transaction pooling (prepared statements off) a session
// setting would land on some other client's server connection, so those two
// statements say SET LOCAL in their own transaction instead.
EngineStore::EngineStore(pqxx::connection& connection, bool prepared_statements)
    : connection_(connection), prepared_(prepared_statements) {
    if (prepared_) {
        pqxx::nontransaction(connection_).exec("SET jit = off");
        for (const auto& [name, statement] : engine_statements())
            connection_.prepare(name, statement.sql);
    }
}

void EngineStore::without_jit(pqxx::transaction_base& tx) {
    if (!prepared_) tx.exec("SET LOCAL jit = off");
}

std::vector<ClaimedStep> EngineStore::claim(Micros now, int limit, const std::string& instance,
                                            int lease_seconds) {
    Transaction tx(*this);
    auto claimed = tx.claim(now, limit, instance, lease_seconds);
    tx.commit();
    return claimed;
}

std::vector<ClaimedStep> EngineStore::Transaction::claim(Micros now, int limit,
                                                         const std::string& instance,
                                                         int lease_seconds) {
    store_.without_jit(*tx_);
    return read_claimed_steps(store_.run(*tx_, "pf_claim", now, limit, instance, lease_seconds));
}

std::vector<VariantChoice> EngineStore::assign_variants(const std::vector<VariantChoice>& wanted,
                                                        Micros now) {
    if (wanted.empty()) return {};
    pqxx::work tx(connection_);
    const auto org = column(wanted, [](const auto& w) { return w.organisation_id; });
    const auto enrollment = column(wanted, [](const auto& w) { return w.enrollment_id; });
    const auto experiment = column(wanted, [](const auto& w) { return w.experiment_id; });
    auto rows = run(tx, "pf_assign_variants", org, enrollment,
                    column(wanted, [](const auto& w) { return w.step_id; }), experiment,
                    column(wanted, [](const auto& w) { return w.variant_id; }), now);
    tx.commit();
    std::vector<VariantChoice> result;
    bool missing = false;
    const RowReader in(rows);
    for (const auto& r : rows) {
        if (in.field(r, "variant_id").is_null()) {
            missing = true;
            continue;
        }
        result.push_back(variant_choice(in, r));
    }
    if (missing) {
        // A concurrent assigner committed after this statement's snapshot:
        // its row won; read it with a fresh snapshot.
        pqxx::work again(connection_);
        result.clear();
        const auto stored = run(again, "pf_read_variants", org, enrollment, experiment);
        const RowReader stored_in(stored);
        for (const auto& r : stored) result.push_back(variant_choice(stored_in, r));
        again.commit();
    }
    return result;
}

std::vector<PromptGeneration> EngineStore::prompt_generation(
    const std::vector<std::pair<std::string, std::string>>& prompts) {
    if (prompts.empty()) return {};
    // One statement: no BEGIN/SET/ROLLBACK round trips around it.
    pqxx::nontransaction tx(connection_);
    const auto rows =
        run(tx, "pf_prompt_generation", column(prompts, [](const auto& p) { return p.first; }),
            column(prompts, [](const auto& p) { return p.second; }));
    const RowReader in(rows);
    std::vector<PromptGeneration> out;
    for (const auto& r : rows) {
        out.push_back({in.text(r, "organisation_id"), in.text(r, "prompt_id"),
                       in.text(r, "generator"), in.text(r, "system_prompt"), in.text(r, "model")});
    }
    return out;
}

EngineStore::Transaction::Transaction(EngineStore& store)
    : store_(store), tx_(std::make_unique<pqxx::work>(store.connection_)) {}

EngineStore::Transaction::~Transaction() = default;

std::vector<std::pair<std::string, std::string>> EngineStore::Transaction::active_enrollments(
    const std::vector<std::pair<std::string, std::string>>& enrollments) {
    if (enrollments.empty()) return {};
    const auto rows = store_.run(*tx_, "pf_active_enrollments",
                                 column(enrollments, [](const auto& e) { return e.first; }),
                                 column(enrollments, [](const auto& e) { return e.second; }));
    const RowReader in(rows);
    std::vector<std::pair<std::string, std::string>> active;
    for (const auto& r : rows)
        active.emplace_back(in.text(r, "organisation_id"), in.text(r, "enrollment_id"));
    return active;
}

std::vector<SenderSlot> EngineStore::Transaction::lock_senders(
    const std::vector<SenderSlot>& senders, Micros now) {
    if (senders.empty()) return {};
    const auto org = column(senders, [](const auto& s) { return s.organisation_id; });
    const auto email = column(senders, [](const auto& s) { return s.from_email; });
    store_.run(*tx_, "pf_ensure_senders", org, email);
    const auto rows = store_.run(*tx_, "pf_lock_senders", org, email, now);
    const RowReader in(rows);
    std::vector<SenderSlot> slots;
    for (const auto& r : rows)
        slots.push_back({in.text(r, "organisation_id"), in.text(r, "from_email"),
                         in.get<Micros>(r, "next_send_at"), in.get<Micros>(r, "queued_until")});
    return slots;
}

void EngineStore::Transaction::set_senders(const std::vector<SenderSlot>& senders) {
    if (senders.empty()) return;
    store_.run(*tx_, "pf_set_senders",
               column(senders, [](const auto& s) { return s.organisation_id; }),
               column(senders, [](const auto& s) { return s.from_email; }),
               column(senders, [](const auto& s) { return std::to_string(s.next_send_at); }),
               column(senders, [](const auto& s) { return std::to_string(s.queued_until); }));
}

std::vector<DailyCapGrant> EngineStore::Transaction::reserve_daily(
    const std::vector<DailyCapRequest>& requests) {
    if (requests.empty()) return {};
    const auto reserve = [&](const std::vector<DailyCapRequest>& wanted) {
        const auto rows =
            store_.run(*tx_, "pf_reserve_daily",
                       column(wanted, [](const auto& w) { return w.organisation_id; }),
                       column(wanted, [](const auto& w) { return w.campaign_id; }),
                       column(wanted, [](const auto& w) { return w.local_day; }),
                       column(wanted, [](const auto& w) { return std::to_string(w.wanted); }));
        const RowReader in(rows);
        std::vector<DailyCapGrant> grants;
        for (const auto& r : rows) {
            grants.push_back({in.text(r, "organisation_id"), in.text(r, "campaign_id"),
                              in.text(r, "local_day"), in.get<int>(r, "granted")});
        }
        return grants;
    };
    auto grants = reserve(requests);
    if (grants.size() == requests.size()) return grants;
    // The first send of a campaign-local day: create its counter, then reserve.
    std::vector<DailyCapRequest> missing;
    for (const auto& r : requests) {
        const bool found = std::any_of(grants.begin(), grants.end(), [&](const auto& g) {
            return g.organisation_id == r.organisation_id && g.campaign_id == r.campaign_id &&
                   g.local_day == r.local_day;
        });
        if (!found) missing.push_back(r);
    }
    store_.run(*tx_, "pf_ensure_daily",
               column(missing, [](const auto& m) { return m.organisation_id; }),
               column(missing, [](const auto& m) { return m.campaign_id; }),
               column(missing, [](const auto& m) { return m.local_day; }));
    for (auto& g : reserve(missing)) grants.push_back(std::move(g));
    return grants;
}

std::vector<DraftResult> EngineStore::Transaction::write_sending(
    const std::vector<OutboundDraft>& drafts, const std::string& message_id_domain, Micros now,
    const std::string& instance) {
    std::vector<std::string> resend_enrollments;
    for (const auto& d : drafts)
        if (d.resend_in_flight) resend_enrollments.push_back(d.enrollment_id);
    if (drafts.empty()) return {};
    const auto rows = store_.run(
        *tx_, "pf_write_sending", column(drafts, [](const auto& d) { return d.organisation_id; }),
        column(drafts, [](const auto& d) { return d.campaign_id; }),
        column(drafts, [](const auto& d) { return d.enrollment_id; }),
        column(drafts, [](const auto& d) { return d.step_id; }),
        optional_column(drafts, [](const auto& d) { return d.variant_id; }),
        column(drafts, [](const auto& d) { return d.prompt_id; }),
        column(drafts, [](const auto& d) { return d.from_email; }),
        column(drafts, [](const auto& d) { return d.to_email; }),
        column(drafts, [](const auto& d) { return d.subject; }),
        column(drafts, [](const auto& d) { return d.body; }),
        optional_column(drafts, [](const auto& d) { return d.in_reply_to; }), message_id_domain,
        to_pg_array(resend_enrollments), now,
        optional_column(drafts, [](const auto& d) { return d.body_html; }),
        optional_column(drafts, [](const auto& d) { return d.mailbox_id; }), instance);
    const RowReader in(rows);
    std::vector<DraftResult> results;
    results.reserve(rows.size());
    for (const auto& r : rows) {
        DraftResult d{in.text(r, "organisation_id"), in.text(r, "enrollment_id"),
                      in.get<bool>(r, "active"), std::nullopt};
        if (!in.field(r, "message_id").is_null()) d.message = written_message(in, r);
        results.push_back(std::move(d));
    }
    return results;
}

void EngineStore::Transaction::commit() {
    tx_->commit();
}

std::size_t EngineStore::Transaction::finish(const FinishBatch& batch, const std::string& instance,
                                             Micros now) {
    auto& tx = *tx_;
    std::size_t updated = 0;
    // Tasks first: the finished step task must leave the "one open task per
    // enrollment" index before the next step's task comes in.
    if (!batch.tasks.empty()) {
        const auto& t = batch.tasks;
        const auto rows = store_.run(
            tx, "pf_finish_tasks", column(t, [](const auto& x) { return x.organisation_id; }),
            column(t, [](const auto& x) { return x.task_id; }),
            column(t, [](const auto& x) { return x.status; }),
            optional_column(t, [](const auto& x) { return micros_text(x.run_at); }),
            column(t, [](const auto& x) { return std::to_string(x.attempts_delta); }),
            optional_column(t, [](const auto& x) { return x.last_error; }), instance, now);
        updated = rows[0]["updated"].as<std::size_t>();
    }
    if (!batch.messages.empty()) {
        const auto& m = batch.messages;
        store_.run(tx, "pf_finish_messages",
                   column(m, [](const auto& x) { return x.organisation_id; }),
                   column(m, [](const auto& x) { return x.message_id; }),
                   column(m, [](const auto& x) { return x.status; }),
                   optional_column(m, [](const auto& x) { return micros_text(x.sent_at); }),
                   column(m, [](const auto& x) { return x.provider_message_id; }),
                   optional_column(m, [](const auto& x) { return x.last_error; }), now);
    }
    if (!batch.enrollments.empty()) {
        const auto& e = batch.enrollments;
        store_.run(tx, "pf_finish_enrollments",
                   column(e, [](const auto& x) { return x.organisation_id; }),
                   column(e, [](const auto& x) { return x.enrollment_id; }),
                   column(e, [](const auto& x) { return x.status; }),
                   column(e, [](const auto& x) { return std::to_string(x.step_order); }),
                   optional_column(e, [](const auto& x) { return micros_text(x.next_run_at); }),
                   optional_column(e, [](const auto& x) { return x.last_error; }), now);
    }
    if (!batch.next_tasks.empty()) {
        const auto& n = batch.next_tasks;
        store_.run(tx, "pf_insert_next_tasks",
                   column(n, [](const auto& x) { return x.organisation_id; }),
                   column(n, [](const auto& x) { return x.campaign_id; }),
                   column(n, [](const auto& x) { return x.enrollment_id; }),
                   column(n, [](const auto& x) { return x.step_id; }),
                   column(n, [](const auto& x) { return std::to_string(x.run_at); }));
    }
    if (!batch.released_caps.empty()) {
        const auto& c = batch.released_caps;
        store_.run(tx, "pf_release_daily",
                   column(c, [](const auto& x) { return x.organisation_id; }),
                   column(c, [](const auto& x) { return x.campaign_id; }),
                   column(c, [](const auto& x) { return x.local_day; }),
                   column(c, [](const auto& x) { return std::to_string(x.wanted); }));
    }
    release_mailbox_slots(batch.released_mailbox_slots);
    record_mailbox_health(batch.mailbox_health, batch.mailbox_failures_to_error, now);
    return updated;
}

std::size_t EngineStore::finish(const FinishBatch& batch, const std::string& instance, Micros now) {
    Transaction tx(*this);
    const auto updated = tx.finish(batch, instance, now);
    tx.commit();
    return updated;
}

std::size_t EngineStore::rescue_expired_leases(Micros now) {
    return rescue_leases({now, std::nullopt, std::nullopt, std::nullopt});
}

std::size_t EngineStore::rescue_leases(const RescueCutoffs& c) {
    pqxx::work tx(connection_);
    const auto n = run(tx, "pf_rescue_leases", c.now, c.heartbeat_before, c.unregistered_before,
                       c.self)[0]["rescued"]
                       .as<std::size_t>();
    tx.commit();
    return n;
}

std::size_t EngineStore::heartbeat(const InstanceRow& instance, Micros now, int lease_seconds,
                                   int heartbeat_interval_seconds) {
    pqxx::work tx(connection_);
    const auto n =
        run(tx, "pf_heartbeat", instance.id, instance.host, instance.pid, instance.version,
            instance.started_at, now, lease_seconds, heartbeat_interval_seconds)[0]["renewed"]
            .as<std::size_t>();
    tx.commit();
    return n;
}

void EngineStore::deregister_instance(const std::string& instance) {
    pqxx::work tx(connection_);
    run(tx, "pf_deregister_instance", instance);
    tx.commit();
}

std::size_t EngineStore::forget_instances(Micros silent_since) {
    pqxx::work tx(connection_);
    const auto n = run(tx, "pf_forget_instances", silent_since).affected_rows();
    tx.commit();
    return n;
}

std::size_t EngineStore::release_leases(const std::string& instance) {
    pqxx::work tx(connection_);
    const auto n = run(tx, "pf_release_leases", instance)[0]["released"].as<std::size_t>();
    tx.commit();
    return n;
}

std::optional<Micros> EngineStore::next_due(Micros after) {
    const auto read = [&](pqxx::transaction_base& tx) -> std::optional<Micros> {
        const auto rows = run(tx, "pf_next_due", after);
        if (rows.empty()) return std::nullopt;
        return rows[0]["run_at"].as<Micros>();
    };
    if (prepared_) {
        pqxx::nontransaction tx(connection_);  // one statement: no BEGIN/SET/ROLLBACK
        return read(tx);
    }
    pqxx::read_transaction tx(connection_);
    without_jit(tx);
    return read(tx);
}

}  // namespace pf::db
