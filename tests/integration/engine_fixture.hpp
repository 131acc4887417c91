#pragma once

#include "adapters/email_generator.hpp"
// A migrated scratch database, a virtual clock and a capturing adapter: the
// engine's real code (StepRunner) run step by step, jumping the clock to the
// next due task, so weeks of a campaign pass in a second.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "adapters/send_adapter.hpp"
#include "db/engine_store.hpp"
#include "integration/scratch_database.hpp"
#include "scheduler/clock.hpp"
#include "scheduler/random_source.hpp"
#include "scheduler/step_runner.hpp"

namespace pf::test {

struct CapturedEmail {
    adapters::OutboundEmail email;
    scheduler::TimePoint at;
};

// Records every email; a script may fail chosen recipients.
class CapturingAdapter final : public adapters::SendAdapter {
  public:
    explicit CapturingAdapter(const scheduler::Clock& clock) : clock_(clock) {}
    std::string_view name() const override { return "capture"; }
    adapters::SendResult send(const adapters::OutboundEmail& email) override;

    // Called before recording; return a failure to fail that send.
    std::function<std::optional<adapters::SendResult>(const adapters::OutboundEmail&, int attempt)>
        script;

    std::vector<CapturedEmail> sent() const;

  private:
    const scheduler::Clock& clock_;
    mutable std::mutex mutex_;
    std::vector<CapturedEmail> sent_;
    std::map<std::string, int> attempts_;
};

// The template generator, with a hook called before each email is written:
// after the claim, before the sending write (to race a reply with it).
class HookedTemplateGenerator final : public adapters::EmailGenerator {
  public:
    adapters::GeneratedText generate(const adapters::PromptSpec& prompt,
                                     const adapters::TemplateVariables& variables) override {
        if (before_generate) before_generate();
        return template_.generate(prompt, variables);
    }
    std::function<void()> before_generate;

  private:
    adapters::TemplateGenerator template_;
};

class EngineFixture {
  public:
    explicit EngineFixture(const std::string& hint, scheduler::TimePoint start);

    pqxx::connection& connection() { return *connection_; }
    // Another session on the same database (to hold a lock, race a write).
    std::unique_ptr<pqxx::connection> connect_again() const {
        return std::make_unique<pqxx::connection>(database_.url());
    }
    scheduler::ManualClock& clock() { return clock_; }
    CapturingAdapter& adapter() { return adapter_; }
    // Called before each email is generated, on the engine's thread.
    void before_generate(std::function<void()> hook) { hooked_->before_generate = std::move(hook); }
    scheduler::EngineSettings& settings() { return settings_; }
    const scheduler::EngineCounters& counters() const { return counters_; }

    // Runs every task due up to `until`, moving the clock from due time to
    // due time; the clock ends at `until`.
    void run_until(scheduler::TimePoint until);

    // Runs SQL (many statements allowed) in one transaction.
    void sql(const std::string& statements);
    long long count(const std::string& query);
    std::string text(const std::string& query);

  private:
    TestDatabase database_;
    std::unique_ptr<pqxx::connection> connection_;
    scheduler::ManualClock clock_;
    CapturingAdapter adapter_;
    scheduler::RandomSource random_{20261128};
    scheduler::EngineSettings settings_;
    scheduler::EngineCounters counters_;
    HookedTemplateGenerator* hooked_ = nullptr;
    adapters::GeneratorSet generators_ = [this] {
        adapters::GeneratorSet set;
        auto hooked = std::make_unique<HookedTemplateGenerator>();
        hooked_ = hooked.get();
        set.add("template", std::move(hooked));
        return set;
    }();
};

// Epoch microseconds as SQL: pf_from_micros(<n>).
std::string sql_time(scheduler::TimePoint t);

}  // namespace pf::test
