#include "daemon/replay_commands.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <pqxx/pqxx>

#include "daemon/command_support.hpp"
#include "daemon/config_loader.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/logging.hpp"
#include "db/connection.hpp"
#include "db/fixture_store.hpp"
#include "db/scratch_database.hpp"
#include "replay/embedded_cluster.hpp"
#include "replay/fixture.hpp"
#include "replay/replayer.hpp"

namespace pf::daemon {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
    g_interrupted.store(true);
}

// Writes `text` to `path` through a temporary file and a rename, so a
// failed run never leaves half a file; "-" or empty: stdout.
void write_output(const std::string& path, const std::string& text) {
    if (path.empty() || path == "-") {
        std::cout << text << std::flush;
        return;
    }
    const auto tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write " + tmp);
        out << text;
        out.flush();
        if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace

int dump_command(const DumpOptions& options) {
    const auto config = command_config(options.config_file, options.database_url);
    const auto connection = connect_or_log(config.database.url);
    if (!connection) return kExitUnavailable;
    try {
        db::FixtureStore store(*connection);
        const auto organisation = store.resolve_organisation(options.organisation);
        auto document = replay::fixture_document(store.dump(organisation, options.campaigns),
                                                 organisation, options.campaigns);
        // The engine settings of this daemon's configuration, so the replay
        // runs as this daemon would.
        replay::ReplaySettings settings;
        settings.seed =
            config.scheduler.seed > 0 ? static_cast<std::uint64_t>(config.scheduler.seed) : 1;
        settings.batch_size = config.scheduler.batch_size;
        settings.in_flight_chunk = config.scheduler.in_flight_chunk;
        settings.retry_base = std::chrono::milliseconds(config.scheduler.retry_base_ms);
        settings.retry_max = std::chrono::milliseconds(config.scheduler.retry_max_ms);
        settings.spacing_min = std::chrono::milliseconds(config.send.spacing_min_ms);
        settings.spacing_max = std::chrono::milliseconds(config.send.spacing_max_ms);
        settings.resend_unknown = config.scheduler.unknown_outcome == "resend";
        settings.message_id_domain = config.send.message_id_domain;
        document["replay"] = replay::settings_document(settings);
        if (!options.at.empty())
            document["recorded_at"] = replay::format_utc(replay::parse_time(options.at));
        if (options.redact) {
            std::string key = options.redact_key;
            if (key.empty())
                if (const char* env = std::getenv("PROSPECTFLOW_REDACT_KEY")) key = env;
            if (key.empty()) {
                spdlog::warn(
                    "--redact without --redact-key or PROSPECTFLOW_REDACT_KEY: pseudonyms use the "
                    "public default key, so a known address can be matched to its pseudonym");
                key = "prospectflow-replay";
            }
            replay::redact(document, key);
        }
        // The document's own fields first, in reading order.
        nlohmann::ordered_json out;
        for (const char* key :
             {"format", "version", "recorded_at", "source", "replay", "tables", "events"})
            if (document.contains(key)) out[key] = document[key];
        write_output(options.output, out.dump(1) + "\n");
        std::size_t rows = 0;
        for (const auto& [table, list] : document["tables"].items()) rows += list.size();
        spdlog::info("dumped {} row(s) of organisation {}{} at {}", rows, organisation,
                     options.redact ? " (redacted)" : "",
                     document["recorded_at"].get<std::string>());
        return kExitOk;
    } catch (const db::FixtureError& e) {
        spdlog::error("{}", e.what());
        return kExitDataError;
    } catch (const std::invalid_argument& e) {
        spdlog::error("--at: {}", e.what());
        return kExitUsage;
    } catch (const std::exception& e) {
        spdlog::error("dump failed: {}", e.what());
        return kExitFailure;
    }
}

int replay_command(const ReplayCommandOptions& options) {
    // The transcript says what the engine did; its log lines would repeat it.
    setup_logging("error", "text");
    replay::Fixture fixture;
    replay::ReplayOptions replay_options;
    try {
        fixture = replay::read_fixture_file(options.fixture);
        if (!options.from.empty()) replay_options.from = replay::parse_time(options.from);
        if (!options.until.empty()) {
            if (options.until.find('T') != std::string::npos)
                replay_options.until = replay::parse_time(options.until);
            else
                replay_options.duration = replay::parse_duration(options.until);
        }
    } catch (const replay::FixtureError& e) {
        spdlog::error("{}", e.what());
        return kExitDataError;
    } catch (const std::invalid_argument& e) {
        spdlog::error("--from/--until: {}", e.what());
        return kExitUsage;
    }

    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    replay_options.interrupted = &g_interrupted;
    try {
        // The scratch database lives (and dies) around the replay.
        std::unique_ptr<replay::EmbeddedCluster> cluster;
        std::unique_ptr<db::ScratchDatabase> scratch;
        std::string url;
        if (options.database_url.empty()) {
            cluster = std::make_unique<replay::EmbeddedCluster>();
            url = cluster->url();
        } else {
            scratch = std::make_unique<db::ScratchDatabase>(options.database_url, "pf_replay",
                                                            options.keep_database);
            url = scratch->url();
            if (options.keep_database) spdlog::warn("keeping scratch database {}", scratch->name());
        }
        const auto result = replay::replay(url, fixture, replay_options);
        std::string text;
        for (const auto& line : result.lines) text += line + "\n";
        write_output(options.transcript, text);
        std::cerr << "replayed " << replay::format_utc(result.from) << " to "
                  << replay::format_utc(result.ended) << ": " << result.lines.size()
                  << " event(s), " << result.sends << " send(s), " << result.batches << " batch(es)"
                  << (result.interrupted ? " (interrupted)" : "") << "\n";
        return result.interrupted ? kExitFailure : kExitOk;
    } catch (const replay::FixtureError& e) {
        spdlog::error("{}", e.what());
        return kExitDataError;
    } catch (const replay::ReplayError& e) {
        spdlog::error("{}", e.what());
        return kExitUsage;
    } catch (const replay::ClusterError& e) {
        spdlog::error("{}", e.what());
        return kExitUnavailable;
    } catch (const pqxx::broken_connection& e) {
        spdlog::error("cannot reach the database: {}", e.what());
        return kExitUnavailable;
    } catch (const std::exception& e) {
        spdlog::error("replay failed: {}", e.what());
        return kExitFailure;
    }
}

}  // namespace pf::daemon
