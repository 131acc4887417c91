#!/usr/bin/env python3
"""The control port, endpoint by endpoint, against a running daemon.

Environment: PF_PORT (control port), PF_TOKEN, PF_DB (database URL). The
database holds tests/shell/control_fixture.sql with both campaigns in draft,
and control_mailboxes_fixture.sql (sender mailboxes, a third campaign).
Exits non-zero with a message on the first failed check."""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

from prometheus_client.parser import text_string_to_metric_families

PORT = int(os.environ["PF_PORT"])
TOKEN = os.environ["PF_TOKEN"]
DB = os.environ["PF_DB"]
ORG_A, CAMP_A = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-0000000000a1"
ORG_B, CAMP_B = "bbbbbbbb-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-0000000000b1"
UNKNOWN = "cccccccc-0000-4000-8000-000000000001"
CAMP_A2 = "aaaaaaaa-0000-4000-8000-0000000000a2"
ANNA, BOB = "aaaaaaaa-0000-4000-8000-0000000000d1", "aaaaaaaa-0000-4000-8000-0000000000d2"
BEA = "bbbbbbbb-0000-4000-8000-0000000000d1"
SECRET = "CONTROL-TEST-SECRET-9f3c2a"  # anna@'s stored secret: in no answer, ever
ANSWERS = []  # every body the daemon sent, checked for the secret at the end


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def ok(message):
    print(f"ok: {message}")


def sql(query):
    out = subprocess.run(["psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", DB, "-c", query],
                         check=True, capture_output=True, text=True).stdout.strip()
    return out


def request(method, path, body=None, token=TOKEN, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    if body is None and method == "POST":
        body = ""
    conn.request(method, path, body=body, headers=h)
    response = conn.getresponse()
    raw = response.read().decode()
    ANSWERS.append(raw)
    conn.close()
    content_type = response.getheader("Content-Type", "")
    parsed = json.loads(raw) if content_type.startswith("application/json") else raw
    return response.status, parsed, content_type


def expect(method, path, status, body=None, token=TOKEN, what=""):
    got, parsed, content_type = request(method, path, body, token)
    if got != status:
        fail(f"{what or method + ' ' + path}: expected {status}, got {got}: {parsed}")
    if status >= 400 and not (isinstance(parsed, dict) and isinstance(parsed.get("error"), str)):
        fail(f"{method} {path}: error answer without a JSON 'error' message: {parsed!r}")
    return parsed


def wait_until(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    fail(f"timed out after {seconds} s waiting for {what}")


campaigns_a = f"/v1/organisations/{ORG_A}/campaigns"
pause_a = f"/v1/organisations/{ORG_A}/campaigns/{CAMP_A}/pause"
resume_a = f"/v1/organisations/{ORG_A}/campaigns/{CAMP_A}/resume"

# --- authentication ---------------------------------------------------------
expect("GET", "/healthz", 200, token=None)
protected = [("GET", "/readyz"), ("GET", "/metrics"), ("GET", "/v1/status"), ("GET", campaigns_a),
             ("POST", pause_a), ("POST", resume_a), ("GET", f"/v1/organisations/{ORG_A}/mailboxes"),
             ("POST", f"/v1/organisations/{ORG_A}/mailboxes/{ANNA}/pause"),
             ("POST", f"/v1/organisations/{ORG_A}/mailboxes/{BOB}/resume"),
             ("POST", f"/v1/organisations/{ORG_A}/tasks/{UNKNOWN}/retry"),
             ("POST", "/v1/drain"), ("POST", "/v1/undrain")]
for method, path in protected:
    expect(method, path, 401, token=None, what=f"{method} {path} without a token")
    expect(method, path, 401, token="wrong-" + TOKEN, what=f"{method} {path} with a wrong token")
    expect(method, path, 401, token=TOKEN[:-1], what=f"{method} {path} with a truncated token")
got, _, _ = request("GET", "/v1/status", token=None, headers={"Authorization": f"Basic {TOKEN}"})
if got != 401:
    fail(f"a non-Bearer scheme was accepted ({got})")
if sql(f"SELECT status FROM outreach.campaigns WHERE id = '{CAMP_A}'") != "draft":
    fail("an unauthenticated call changed a campaign")
if sql(f"SELECT string_agg(status, ',' ORDER BY email) FROM outreach.mailboxes WHERE organisation_id = '{ORG_A}'") != "active,error":
    fail("an unauthenticated call changed a mailbox")
ok("every endpoint but /healthz refuses a missing, wrong or truncated token with 401")

# --- status, readiness, lists -----------------------------------------------
ready = expect("GET", "/readyz", 200)
if ready != {"ready": True}:
    fail(f"/readyz: {ready}")
status = expect("GET", "/v1/status", 200)
for key in ["instance", "version", "uptime_seconds", "workers", "workers_busy", "draining", "queue"]:
    if key not in status:
        fail(f"/v1/status lacks {key}: {status}")
for key in ["due", "scheduled", "running", "oldest_due_seconds"]:
    if key not in status["queue"]:
        fail(f"/v1/status queue lacks {key}")
listed = expect("GET", campaigns_a, 200)
if [c["id"] for c in listed["campaigns"]] != [CAMP_A, CAMP_A2]:
    fail(f"organisation A's campaigns: {listed}")
if listed["campaigns"][0]["status"] != "draft" or listed["campaigns"][0]["enrollments"]["active"] != 400:
    fail(f"organisation A's campaign counts: {listed}")
listed_b = expect("GET", f"/v1/organisations/{ORG_B}/campaigns", 200)
if [c["id"] for c in listed_b["campaigns"]] != [CAMP_B]:
    fail(f"organisation B sees: {listed_b}")
expect("GET", f"/v1/organisations/{UNKNOWN}/campaigns", 404)
ok("readyz, status and per-organisation campaign lists")

# --- organisations cannot reach each other's rows ----------------------------
expect("POST", f"/v1/organisations/{ORG_B}/campaigns/{CAMP_A}/pause", 404, what="pause A through B")
expect("POST", f"/v1/organisations/{ORG_B}/campaigns/{CAMP_A}/resume", 404, what="resume A through B")
expect("POST", f"/v1/organisations/{UNKNOWN}/campaigns/{CAMP_A}/pause", 404)
expect("POST", pause_a, 409, what="pausing a draft campaign")
task_a = sql(f"SELECT id FROM outreach.tasks WHERE organisation_id = '{ORG_A}' LIMIT 1") or UNKNOWN
expect("POST", f"/v1/organisations/{ORG_B}/tasks/{task_a}/retry", 404, what="retry A's task through B")
ok("ids of another organisation answer 404")

# --- sender mailboxes: list, pause, resume ------------------------------------
mailboxes_a = f"/v1/organisations/{ORG_A}/mailboxes"


def mailbox_path(org, mailbox, action):
    return f"/v1/organisations/{org}/mailboxes/{mailbox}/{action}"


def task_run_in(enrollment):
    """Seconds from now to the run_at of the enrollment's pending task (negative: due)."""
    return float(sql(f"""SELECT extract(epoch FROM t.run_at - now()) FROM outreach.tasks t
                         WHERE t.organisation_id = '{ORG_A}' AND t.status = 'pending'
                           AND t.enrollment_id = md5('{enrollment}')::uuid"""))


listed = expect("GET", mailboxes_a, 200)
if listed["organisation_id"] != ORG_A or [m["email"] for m in listed["mailboxes"]] != [
        "anna@alpha-mail.example", "bob@alpha-mail.example"]:
    fail(f"organisation A's mailboxes: {listed}")
anna, bob = listed["mailboxes"]
for m in (anna, bob):
    for key in ["id", "email", "display_name", "status", "status_reason", "status_changed_at", "timezone",
                "daily_limit", "limit_today", "sent_today", "min_gap_seconds", "max_jitter_seconds",
                "campaign_ids", "enrollments", "smtp_url", "smtp_username"]:
        if key not in m:
            fail(f"mailbox {m['email']} lacks {key}: {m}")
    if "secret" in m:
        fail(f"a mailbox answer carries its secret field: {m}")
expected_anna = {"id": ANNA, "display_name": "Anna A", "status": "active", "status_reason": None,
                 "timezone": "Pacific/Auckland", "daily_limit": 30, "limit_today": 30, "sent_today": 7,
                 "min_gap_seconds": 60, "max_jitter_seconds": 120, "campaign_ids": [CAMP_A2],
                 "enrollments": {"assigned": 1, "active": 1},
                 "smtp_url": "smtps://smtp.alpha-mail.example:465",
                 "smtp_username": "anna@alpha-mail.example", "ramp": None}
for key, value in expected_anna.items():
    if anna[key] != value:
        fail(f"anna@ {key}: expected {value!r}, got {anna[key]!r}")
if anna["local_day"] != sql("SELECT (now() AT TIME ZONE 'Pacific/Auckland')::date"):
    fail(f"anna@'s local day: {anna['local_day']}")
expected_bob = {"status": "error", "status_reason": "authentication failed: 535 5.7.8", "daily_limit": 30,
                "limit_today": 15, "sent_today": 0, "enrollments": {"assigned": 2, "active": 2},
                "display_name": None, "smtp_username": None}
for key, value in expected_bob.items():
    if bob[key] != value:
        fail(f"bob@ {key}: expected {value!r}, got {bob[key]!r}")
if not bob["status_changed_at"] or not bob["status_changed_at"].endswith("Z"):
    fail(f"bob@'s status_changed_at: {bob['status_changed_at']!r}")
listed_b = expect("GET", f"/v1/organisations/{ORG_B}/mailboxes", 200)
if [m["smtp_url"] for m in listed_b["mailboxes"]] != ["smtps://bea:***@smtp.bravo-mail.example:465"]:
    fail(f"organisation B's mailboxes (a password in the SMTP URL is shown as ***): {listed_b}")
expect("GET", f"/v1/organisations/{UNKNOWN}/mailboxes", 404)
expect("GET", "/v1/organisations/not-a-uuid/mailboxes", 404)
ok("mailbox list: today's count and limit (ramp-up in the mailbox's zone), pool, enrollments, no secret")

expect("POST", mailbox_path(ORG_A, UNKNOWN, "pause"), 404, what="pausing an unknown mailbox")
expect("POST", mailbox_path(ORG_A, UNKNOWN, "resume"), 404, what="resuming an unknown mailbox")
expect("POST", mailbox_path(ORG_A, BEA, "pause"), 404, what="pausing B's mailbox through A")
expect("POST", mailbox_path(ORG_B, ANNA, "resume"), 404, what="resuming A's mailbox through B")
expect("POST", mailbox_path(UNKNOWN, ANNA, "pause"), 404)
expect("POST", mailbox_path(ORG_A, ANNA, "pause"), 400, body="{not json", what="malformed JSON")
# A number no double holds: nlohmann's out_of_range, a 400 like any bad JSON (was a 500).
too_big = expect("POST", mailbox_path(ORG_A, ANNA, "pause"), 400, body='{"reason": "x", "n": 1e999}',
                 what="a number too large")
if "malformed JSON" not in too_big["error"]:
    fail(f"a number too large: {too_big}")
if sql(f"SELECT status FROM outreach.mailboxes WHERE id = '{BEA}'") != "active":
    fail("a mailbox of B changed through A")
ok("mailbox ids of another organisation, or unknown, answer 404")

paused = expect("POST", mailbox_path(ORG_A, ANNA, "pause"), 200, body=json.dumps({"reason": "warm-up check"}))
if paused != {"mailbox_id": ANNA, "email": "anna@alpha-mail.example", "status": "paused", "changed": True}:
    fail(f"mailbox pause answer: {paused}")
row = sql(f"SELECT status, status_reason, status_changed_at > now() - interval '1 minute' FROM outreach.mailboxes WHERE id = '{ANNA}'")
if row != "paused|paused by an operator: warm-up check|t":
    fail(f"anna@ after the pause: {row}")
if expect("POST", mailbox_path(ORG_A, ANNA, "pause"), 200)["changed"]:
    fail("pausing a paused mailbox changed it")
if expect("GET", mailboxes_a, 200)["mailboxes"][0]["status"] != "paused":
    fail("the list does not show anna@ paused")
sql(f"UPDATE outreach.mailboxes SET consecutive_failures = 2 WHERE id = '{ANNA}'")
resumed = expect("POST", mailbox_path(ORG_A, ANNA, "resume"), 200)
if resumed != {"mailbox_id": ANNA, "email": "anna@alpha-mail.example", "status": "active", "changed": True,
               "tasks_due_now": 1}:
    fail(f"mailbox resume answer: {resumed}")
row = sql(f"SELECT status, coalesce(status_reason, 'NULL'), consecutive_failures FROM outreach.mailboxes WHERE id = '{ANNA}'")
if row != "active|NULL|0":
    fail(f"anna@ after the resume: {row}")
if task_run_in("a2-enrollment3") > 0:
    fail("the task waiting for anna@ is not due after the resume")
if task_run_in("a2-enrollment1") < 600:
    fail("resuming anna@ moved a task of bob@")
if expect("POST", mailbox_path(ORG_A, ANNA, "resume"), 200)["changed"]:
    fail("resuming an active mailbox changed it")
# bob@ is in error: resume clears it; only the task that waits for bob@ is
# due now, not the follow-up its step's delay puts in three days.
resumed = expect("POST", mailbox_path(ORG_A, BOB, "resume"), 200)
if resumed["status"] != "active" or not resumed["changed"] or resumed["tasks_due_now"] != 1:
    fail(f"resuming bob@ from error: {resumed}")
if task_run_in("a2-enrollment1") > 0:
    fail("the task waiting for bob@ is not due after the resume")
if task_run_in("a2-enrollment2") < 2 * 86400:
    fail("resuming bob@ made a follow-up due before its step's delay")
row = sql(f"SELECT status, coalesce(status_reason, 'NULL'), consecutive_failures FROM outreach.mailboxes WHERE id = '{BOB}'")
if row != "active|NULL|0":
    fail(f"bob@ after the resume: {row}")
# error -> paused too (an operator takes a failing mailbox out of rotation).
sql(f"UPDATE outreach.mailboxes SET status = 'error', status_reason = 'connection refused' WHERE id = '{BOB}'")
if expect("POST", mailbox_path(ORG_A, BOB, "pause"), 200)["status"] != "paused":
    fail("pausing a mailbox in error")
ok("mailbox pause and resume: reason and time kept, failures reset, waiting tasks due now, follow-ups left alone")

# --- bad requests: the daemon keeps serving ---------------------------------
expect("POST", pause_a, 400, body="{not json", what="malformed JSON")
expect("POST", pause_a, 400, body="[1, 2]", what="a JSON array")
expect("POST", pause_a, 400, body='{"reason": 7}', what="a non-string reason")
expect("POST", "/v1/drain", 413, body="x" * 5000, what="a body over control.max_body_bytes")
expect("GET", "/v1/nothing-here", 404)
expect("GET", "/v1/organisations/not-a-uuid/campaigns", 404)
expect("DELETE", "/v1/status", 404, what="an unknown method")
# A POST with no Content-Length at all, as `curl -X POST` sends it: 411 with
# a hint, at once (not after the read timeout).
with socket.create_connection(("127.0.0.1", PORT), timeout=30) as s:
    started = time.time()
    s.sendall(f"POST /v1/drain HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n".encode())
    head = s.recv(4096).decode(errors="replace")
    if time.time() - started > 2:
        fail("POST without Content-Length waited for the read timeout")
if not head.startswith("HTTP/1.1 411"):
    fail(f"POST without Content-Length: {head.splitlines()[0] if head else 'no answer'}")
# Garbage on the socket.
with socket.create_connection(("127.0.0.1", PORT), timeout=30) as s:
    s.sendall(b"\x00\x01 nonsense\r\n\r\n")
    s.shutdown(socket.SHUT_WR)
    s.recv(4096)
expect("GET", "/healthz", 200, token=None)
if expect("GET", "/v1/status", 200)["draining"]:
    fail("a refused drain request drained the daemon")
ok("malformed JSON, wrong bodies, oversized bodies, unknown routes and garbage get clean 4xx; still serving")

# --- pause: after the answer no email of the campaign goes out --------------
sql(f"UPDATE outreach.campaigns SET status = 'active' WHERE id = '{CAMP_B}'")
wait_until(lambda: sql(f"SELECT count(*) FROM outreach.messages WHERE campaign_id = '{CAMP_B}' AND status = 'sent'") == "3",
           30, "campaign B's three sends")
sql(f"UPDATE outreach.campaigns SET status = 'active' WHERE id = '{CAMP_A}'")
wait_until(lambda: int(sql(f"SELECT count(*) FROM outreach.messages WHERE campaign_id = '{CAMP_A}' AND status = 'sent'")) >= 20,
           30, "campaign A to be sending")
answer = expect("POST", pause_a, 200, body=json.dumps({"reason": "control test"}))
count_sql = f"SELECT count(*) FROM outreach.messages WHERE campaign_id = '{CAMP_A}'"
at_answer = sql(count_sql)
sent_at_answer = sql(count_sql + " AND status = 'sent'")
if answer["status"] != "paused" or answer["in_flight"] != 0 or not answer["changed"]:
    fail(f"pause answer: {answer}")
if int(sent_at_answer) >= 399:
    fail("campaign A finished before the pause: the test proves nothing (raise its latency)")
if sql(count_sql + " AND status = 'sending'") != "0":
    fail("a message of the paused campaign is still 'sending' after the pause answered")
time.sleep(2)
if sql(count_sql) != at_answer or sql(count_sql + " AND status = 'sent'") != sent_at_answer:
    fail(f"campaign A kept sending after the pause answered ({at_answer} -> {sql(count_sql)} rows)")
again = expect("POST", pause_a, 200)
if again["changed"]:
    fail(f"pausing a paused campaign changed it: {again}")
listed = expect("GET", campaigns_a, 200)["campaigns"][0]
if listed["status"] != "paused" or listed["tasks"]["due"] == 0:
    fail(f"paused campaign listed as {listed}")
ok(f"pause answered with nothing in flight; {sent_at_answer} sent then, none for 2 s after")

# --- resume ------------------------------------------------------------------
resumed = expect("POST", resume_a, 200)
if resumed["status"] != "active" or not resumed["changed"]:
    fail(f"resume answer: {resumed}")
expect("POST", f"/v1/organisations/{ORG_A}/campaigns/{CAMP_A}/resume", 200)
wait_until(lambda: sql(count_sql + " AND status = 'sent'") == "399", 60, "campaign A's 399 good sends")
failed_task = sql(f"SELECT id FROM outreach.tasks WHERE campaign_id = '{CAMP_A}' AND status = 'failed'")
if len(failed_task.splitlines()) != 1:
    fail(f"expected one failed task (the invalid address), got {failed_task!r}")
ok("resume: the campaign's remaining sends went out")

# --- retry -------------------------------------------------------------------
expect("POST", f"/v1/organisations/{ORG_A}/tasks/{UNKNOWN}/retry", 404)
sent_task = sql(f"SELECT id FROM outreach.tasks WHERE campaign_id = '{CAMP_A}' AND status = 'succeeded' LIMIT 1")
expect("POST", f"/v1/organisations/{ORG_A}/tasks/{sent_task}/retry", 409, what="retrying a succeeded task")
sql(f"UPDATE crm.positions SET email_status = 'valid' WHERE organisation_id = '{ORG_A}' AND email_status = 'invalid'")
retried = expect("POST", f"/v1/organisations/{ORG_A}/tasks/{failed_task}/retry", 200)
if not retried.get("next_task_id"):
    fail(f"retry answer: {retried}")
wait_until(lambda: sql(count_sql + " AND status = 'sent'") == "400", 30, "the retried enrollment's send")
expect("POST", f"/v1/organisations/{ORG_A}/tasks/{failed_task}/retry", 409, what="retrying a finished enrollment's task")
ok("retry: a failed task runs again (fixed address now sent); other states answer 409")

# --- drain -------------------------------------------------------------------
drained = expect("POST", "/v1/drain", 200)
if not drained["draining"]:
    fail(f"drain answer: {drained}")
not_ready = expect("GET", "/readyz", 503)
if "draining" not in not_ready.get("reasons", []):
    fail(f"/readyz while draining: {not_ready}")
sql(f"""INSERT INTO crm.people (organisation_id, id, first_name, last_name)
        VALUES ('{ORG_B}', md5('b-late')::uuid, 'Basile', 'B');
        INSERT INTO crm.positions (organisation_id, id, person_id, company_id, email)
        VALUES ('{ORG_B}', md5('b-late-pos')::uuid, md5('b-late')::uuid, 'bbbbbbbb-0000-4000-8000-0000000000c1', 'late@prospects.example');
        INSERT INTO outreach.campaign_enrollments (organisation_id, campaign_id, person_id, position_id)
        VALUES ('{ORG_B}', '{CAMP_B}', md5('b-late')::uuid, md5('b-late-pos')::uuid)""")
time.sleep(1.5)
late = f"SELECT t.status FROM outreach.tasks t JOIN outreach.campaign_enrollments e ON e.id = t.enrollment_id WHERE e.person_id = md5('b-late')::uuid"
if sql(late) != "pending":
    fail(f"a drained daemon claimed a task: {sql(late)}")
if not expect("GET", "/v1/status", 200)["draining"]:
    fail("status does not say draining")
undrained = expect("POST", "/v1/undrain", 200)
if undrained["draining"]:
    fail(f"undrain answer: {undrained}")
wait_until(lambda: sql(late) == "succeeded", 30, "the task enrolled while drained")
expect("GET", "/readyz", 200)
ok("drain: nothing claimed and /readyz 503 until undrain; then the task ran")

# --- metrics -----------------------------------------------------------------
got, text, content_type = request("GET", "/metrics")
if got != 200 or not content_type.startswith("text/plain"):
    fail(f"/metrics: {got} {content_type}")
families = {f.name: f for f in text_string_to_metric_families(text)}
expected = {
    "prospectflow_tasks_claimed": "counter", "prospectflow_tasks_succeeded": "counter",
    "prospectflow_tasks_failed": "counter", "prospectflow_tasks_retried": "counter",
    "prospectflow_messages_sent": "counter", "prospectflow_messages_failed": "counter",
    "prospectflow_send_duration_seconds": "histogram",
    "prospectflow_generation_duration_seconds": "histogram",
    "prospectflow_claim_lag_seconds": "histogram", "prospectflow_queue_tasks": "gauge",
    "prospectflow_queue_oldest_due_age_seconds": "gauge", "prospectflow_db_pool_connections": "gauge",
    "prospectflow_build_info": "gauge", "prospectflow_workers_busy": "gauge",
}
for name, kind in expected.items():
    if name not in families:
        fail(f"/metrics lacks {name}")
    if families[name].type != kind:
        fail(f"{name} is a {families[name].type}, not a {kind}")
sent = [s for s in families["prospectflow_messages_sent"].samples if s.name.endswith("_total")]
if not sent or sent[0].value < 404 or sent[0].labels.get("adapter") != "log":
    fail(f"messages sent: {sent}")
count = [s for s in families["prospectflow_send_duration_seconds"].samples if s.name.endswith("_count")]
if not count or count[0].value < 404:
    fail(f"send latency count: {count}")
for name in ["prospectflow_mailbox_sends", "prospectflow_mailbox_sender_failures"]:
    if name not in families or families[name].type != "counter":
        fail(f"/metrics lacks the counter {name}")
ok(f"/metrics parses as Prometheus text ({len(families)} families) with the expected types and values")

leaked = [a[:200] for a in ANSWERS if SECRET in a]
if leaked:
    fail(f"a mailbox secret appears in {len(leaked)} answer(s): {leaked[0]}")
ok(f"the mailbox secret appears in none of the {len(ANSWERS)} answers")
