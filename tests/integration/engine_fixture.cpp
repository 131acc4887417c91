#include "integration/engine_fixture.hpp"

#include "db/migration_source.hpp"
#include "db/migrator.hpp"

namespace pf::test {

adapters::SendResult CapturingAdapter::send(const adapters::OutboundEmail& email) {
    int attempt;
    {
        std::lock_guard lock(mutex_);
        attempt = ++attempts_[email.message_id];
    }
    if (script) {
        if (auto failure = script(email, attempt)) return *failure;
    }
    std::lock_guard lock(mutex_);
    sent_.push_back({email, clock_.now()});
    return adapters::SendResult::sent("capture-" + email.message_id);
}

std::vector<CapturedEmail> CapturingAdapter::sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
}

EngineFixture::EngineFixture(const std::string& hint, scheduler::TimePoint start)
    : database_(hint),
      connection_(std::make_unique<pqxx::connection>(database_.url())),
      clock_(start),
      adapter_(clock_) {
    db::Migrator(*connection_, db::embedded_migrations()).migrate();
    settings_.instance_id = "test:" + hint;
    settings_.batch_size = 100;
    settings_.lease_seconds = 300;
    settings_.backoff = {std::chrono::minutes(1), std::chrono::hours(1)};
}

void EngineFixture::run_until(scheduler::TimePoint until) {
    db::EngineStore store(*connection_, true);
    scheduler::StepRunner runner(store, adapter_, generators_, clock_, random_, settings_,
                                 counters_);
    while (true) {
        while (runner.run_batch() > 0) {
        }
        const auto next = store.next_due(scheduler::to_micros(clock_.now()));
        if (!next || scheduler::from_micros(*next) > until) break;
        clock_.set(scheduler::from_micros(*next));
    }
    if (clock_.now() < until) clock_.set(until);
}

void EngineFixture::sql(const std::string& statements) {
    pqxx::work tx(*connection_);
    tx.exec(statements);
    tx.commit();
}

long long EngineFixture::count(const std::string& query) {
    pqxx::nontransaction tx(*connection_);
    const auto r = tx.exec(query);
    if (r.empty() || r[0][0].is_null()) throw std::runtime_error("no value from: " + query);
    return r[0][0].as<long long>();
}

std::string EngineFixture::text(const std::string& query) {
    pqxx::nontransaction tx(*connection_);
    const auto r = tx.exec(query);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
}

std::string sql_time(scheduler::TimePoint t) {
    return "pf_from_micros(" + std::to_string(scheduler::to_micros(t)) + ")";
}

}  // namespace pf::test
