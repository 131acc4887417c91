// The engine's claim on outreach.tasks must stay index scans on the partial
// per-organisation due index when the table holds a million finished and
// future tasks.
#include <doctest/doctest.h>

#include <pqxx/pqxx>
#include <regex>

#include "db/migration_source.hpp"
#include "db/migrator.hpp"
#include "db/statement_catalog.hpp"
#include "integration/scratch_database.hpp"

namespace {

// The engine's own claim (db/statements/claim.sql), with its parameters:
// now, batch size, instance, lease seconds.
std::int64_t now_micros(pqxx::connection& c) {
    return pqxx::nontransaction(c).exec("SELECT pf_micros(now())")[0][0].as<std::int64_t>();
}

}  // namespace

TEST_CASE("volume: claim uses tasks_org_due_idx with a million finished and future tasks") {
    pf::test::TestDatabase db("claim");
    pqxx::connection c(db.url());
    pf::db::Migrator(c, pf::db::embedded_migrations()).migrate();

    constexpr int kEnrollments = 100000;
    {
        pqxx::work tx(c);
        tx.exec(R"sql(
INSERT INTO iam.organisations (id, name, slug) VALUES ('00000000-0000-4000-8000-0000000000aa', 'Bench', 'bench');
INSERT INTO crm.companies (organisation_id, id, name) VALUES
    ('00000000-0000-4000-8000-0000000000aa', '00000000-0000-4000-8000-0000000000c0', 'Bench SA');
INSERT INTO outreach.prompts (organisation_id, id, name, subject_template, body_template) VALUES
    ('00000000-0000-4000-8000-0000000000aa', '00000000-0000-4000-8000-0000000000f0', 'p', 's', 'b');
INSERT INTO outreach.campaigns (organisation_id, id, name, status, from_email) VALUES
    ('00000000-0000-4000-8000-0000000000aa', '00000000-0000-4000-8000-0000000000a0', 'c', 'draft', 'a@bench.example');
INSERT INTO outreach.workflow_steps (organisation_id, id, campaign_id, step_order, prompt_id) VALUES
    ('00000000-0000-4000-8000-0000000000aa', '00000000-0000-4000-8000-0000000000b0',
     '00000000-0000-4000-8000-0000000000a0', 1, '00000000-0000-4000-8000-0000000000f0');
)sql");
        tx.exec_params(R"sql(
INSERT INTO crm.people (organisation_id, id, first_name, last_name)
SELECT '00000000-0000-4000-8000-0000000000aa', md5('person' || i)::uuid, 'P', 'N' || i
FROM generate_series(1, $1) AS i)sql",
                       kEnrollments);
        tx.exec_params(R"sql(
INSERT INTO outreach.campaign_enrollments (organisation_id, id, campaign_id, person_id)
SELECT '00000000-0000-4000-8000-0000000000aa', md5('enrollment' || i)::uuid,
       '00000000-0000-4000-8000-0000000000a0', md5('person' || i)::uuid
FROM generate_series(1, $1) AS i)sql",
                       kEnrollments);
        // 900,000 finished tasks, then one open task per enrollment: all in
        // the future but the last 100, which are due.
        tx.exec_params(R"sql(
INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, status, run_at, finished_at)
SELECT '00000000-0000-4000-8000-0000000000aa', '00000000-0000-4000-8000-0000000000a0',
       md5('enrollment' || (i % $1 + 1))::uuid, '00000000-0000-4000-8000-0000000000b0',
       CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'succeeded' END,
       now() - interval '30 days' + i * interval '1 second', now() - interval '1 day'
FROM generate_series(1, 900000) AS i)sql",
                       kEnrollments);
        tx.exec_params(R"sql(
INSERT INTO outreach.tasks (organisation_id, campaign_id, enrollment_id, step_id, status, run_at)
SELECT '00000000-0000-4000-8000-0000000000aa', '00000000-0000-4000-8000-0000000000a0',
       md5('enrollment' || i)::uuid, '00000000-0000-4000-8000-0000000000b0', 'pending',
       CASE WHEN i <= $1 - 100 THEN now() + interval '1 day' + i * interval '1 second'
            ELSE now() - interval '1 minute' END
FROM generate_series(1, $1) AS i)sql",
                       kEnrollments);
        // Active only now, so the enrollment trigger did not enqueue first steps
        // of its own; activation finds every enrollment with an open task.
        tx.exec("UPDATE outreach.campaigns SET status = 'active'");
        tx.commit();
    }
    pqxx::nontransaction(c).exec("ANALYZE outreach.tasks; ANALYZE outreach.campaigns;");
    CHECK(
        pqxx::nontransaction(c).exec("SELECT count(*) FROM outreach.tasks")[0][0].as<long long>() ==
        1000000);

    // The plan the engine runs: its prepared statement's generic plan (what
    // PostgreSQL settles on after five executions), forced here.
    const auto& claim = pf::db::engine_statement("pf_claim");
    const auto now = now_micros(c);
    std::string plan;
    {
        pqxx::work tx(c);
        tx.exec("SET LOCAL plan_cache_mode = force_generic_plan");
        tx.exec("PREPARE pf_claim_plan AS " + claim);
        // EXPLAIN EXECUTE is a utility statement: its arguments are literals.
        for (const auto& row : tx.exec("EXPLAIN EXECUTE pf_claim_plan(" + std::to_string(now) +
                                       ", 100, 'test', 300)"))
            plan += row[0].as<std::string>() + "\n";
    }
    INFO("plan:\n" << plan);
    CHECK(std::regex_search(plan, std::regex("Index Scan using tasks_org_due_idx on tasks")));
    CHECK(std::regex_search(plan, std::regex("Index Scan using tasks_pkey on tasks")));
    CHECK_FALSE(std::regex_search(plan, std::regex("Seq Scan on tasks")));
    CHECK_FALSE(std::regex_search(plan, std::regex("Bitmap Heap Scan on tasks")));

    pqxx::work tx(c);
    CHECK(tx.exec_params(claim, now, 100, "test", 300).size() == 100);
}
