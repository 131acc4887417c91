#pragma once
// Heartbeats and fast rescue: when an instance counts as dead, what the
// janitor's lease rescue is told, and how often it looks. Pure functions over
// times from the engine's clock, so a virtual clock drives them too; the SQL
// that applies them is db/statements/leases.sql (pf_rescue_leases,
// pf_heartbeat).
//
// Why both a heartbeat and a lease: the lease (scheduler.lease_seconds,
// minutes) bounds a task's life under a daemon that never renews it; the
// heartbeat (every scheduler.heartbeat_interval_seconds) lets another daemon
// see within scheduler.instance_timeout_seconds that the holder died, and
// renews the holder's leases while it lives, so a long batch keeps them.

#include <chrono>
#include <optional>
#include <string>

#include "db/engine_rows.hpp"

namespace pf::scheduler {

// An instance silent this long has its row deleted by the janitor (its
// leases, if any are left, then fall under the "not registered" rule).
inline constexpr std::chrono::hours kForgetSilentInstancesAfter{1};

// Live while its last beat is no older than `timeout` at `now`.
bool instance_is_live(db::Micros heartbeat_at, db::Micros now, std::chrono::seconds timeout);

// What pf_rescue_leases takes back at `now`: expired leases, leases of
// instances whose last beat is older than `timeout`, and leases of instances
// without a row that were neither taken nor renewed within `timeout` (the
// grace that covers a daemon's claims in the moment before its first beat).
// `self` is never rescued by the heartbeat rules.
db::RescueCutoffs rescue_cutoffs(db::Micros now, std::chrono::seconds timeout,
                                 const std::string& self);

// How often a worker runs the janitor's rescue: often enough that a dead
// instance's tasks are back within timeout + one heartbeat interval, and at
// least every quarter lease, as before heartbeats.
std::chrono::seconds janitor_period(std::chrono::seconds lease,
                                    std::chrono::seconds heartbeat_interval);

// Why a heartbeat configuration is refused, or nullopt: the timeout must
// leave room for at least two missed beats, so one slow beat (a busy
// database) does not get a live daemon's tasks taken over.
std::optional<std::string> heartbeat_settings_problem(int heartbeat_interval_seconds,
                                                      int instance_timeout_seconds);

}  // namespace pf::scheduler
