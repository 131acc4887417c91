#!/usr/bin/env python3
"""The tracking listener end to end. argv: OUTBOX PORT SECRET DATABASE_URL.
Four prospects got step 1 (in OUTBOX as .eml): open@ (opens, then replies),
unsub@ (one-click unsubscribe), bounce@ (hard bounce) and keep@ (nothing).
Step 2 is due 4 s after step 1; only keep@ may get it."""
import email
import email.policy
import glob
import hashlib
import hmac
import http.client
import json
import re
import subprocess
import sys
import time

outbox, port, secret, db = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4]


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def sql(query):
    return subprocess.run(["psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", db, "-c", query],
                          check=True, capture_output=True, text=True).stdout.strip()


def request(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, {k.lower(): v for k, v in r.getheaders() if k.lower() != "date"}, data


def signed(path, payload, key=secret, age=0):
    body = json.dumps(payload).encode()
    ts = str(int(time.time()) - age)
    sig = "sha256=" + hmac.new(key, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    return request("POST", path, body, {"Content-Type": "application/json",
                                        "X-ProspectFlow-Timestamp": ts, "X-ProspectFlow-Signature": sig})


mails = {}
for path in glob.glob(f"{outbox}/*.eml"):
    msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    mails[msg["To"].split("@")[0]] = msg
if sorted(mails) != ["bounce", "keep", "open", "unsub"]:
    fail(f"step 1 went to {sorted(mails)}")
tokens = {}
for who, msg in mails.items():
    unsubscribe = msg["List-Unsubscribe"]
    if msg["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
        fail(f"{who}: List-Unsubscribe-Post {msg['List-Unsubscribe-Post']!r}")
    match = re.search(rf"<http://127\.0\.0\.1:{port}/u/([A-Za-z0-9_-]+)>", unsubscribe or "")
    if not match or "<mailto:unsubscribe@chateau.example>" not in unsubscribe:
        fail(f"{who}: List-Unsubscribe {unsubscribe!r}")
    tokens[who] = match.group(1)
    html = msg.get_body(("html",)).get_content()
    if f'src="http://127.0.0.1:{port}/o/{tokens[who]}.gif"' not in html:
        fail(f"{who}: no open pixel for its token in the HTML part")
print("ok: every email has List-Unsubscribe (https + mailto), One-Click, and an open pixel with its token")

# --- opens ---------------------------------------------------------------
known = [request("GET", f"/o/{tokens['open']}.gif") for _ in range(3)]
unknown = request("GET", "/o/" + "x" * 32 + ".gif")
if known[0] != unknown or known[0][0] != 200 or known[0][1]["content-type"] != "image/gif":
    fail(f"pixel answers differ or are wrong: {known[0][:2]} vs {unknown[:2]}")
if "no-store" not in known[0][1].get("cache-control", "") or len(known[0][2]) != 43:
    fail(f"pixel: {known[0][1]} {len(known[0][2])} bytes")
deadline = time.time() + 10
while time.time() < deadline and sql(f"SELECT coalesce(sum(open_count), 0) FROM tracking.message_open_stats") != "3":
    time.sleep(0.1)
stats = sql(f"""SELECT s.open_count, s.first_opened_at <= s.last_opened_at FROM tracking.message_open_stats s
               JOIN tracking.pixels p ON p.message_id = s.message_id WHERE p.token = '{tokens['open']}'""")
if stats != "3|t" or sql("SELECT count(*) FROM tracking.message_open_stats") != "1":
    fail(f"open stats: {stats!r}; rows {sql('SELECT count(*) FROM tracking.message_open_stats')}")
print("ok: three pixel GETs counted as 3 opens (first <= last); an unknown token's answer is byte-identical and records nothing")

# --- one-click unsubscribe -------------------------------------------------
form = {"Content-Type": "application/x-www-form-urlencoded"}
known = request("POST", f"/u/{tokens['unsub']}", "List-Unsubscribe=One-Click", form)
unknown = request("POST", "/u/" + "y" * 32, "List-Unsubscribe=One-Click", form)
if known != unknown or known[0] != 200:
    fail(f"unsubscribe answers differ: {known[:2]} vs {unknown[:2]}")
if sql("SELECT status FROM outreach.campaign_enrollments e JOIN crm.positions p ON p.id = e.position_id WHERE p.email = 'unsub@prospects.example'") != "unsubscribed":
    fail("the unsubscribe did not end the enrollment")
if sql("SELECT reason FROM tracking.suppressions WHERE email = 'unsub@prospects.example'") != "unsubscribed":
    fail("the address is not suppressed")
print("ok: one-click POST ended the enrollment and suppressed the address; unknown token: same answer")

# --- webhooks --------------------------------------------------------------
root_id = mails["open"]["Message-ID"]
raw = (f"From: =?UTF-8?Q?Zo=C3=A9?= <open@prospects.example>\r\nTo: ventes@chateau.example\r\n"
       f"Subject: Re: {mails['open']['Subject']}\r\nMessage-ID: <reply-1@prospects.example>\r\n"
       f"In-Reply-To: {root_id}\r\nReferences: {root_id}\r\n\r\nMerci, parlons-en.\r\n")
status, _, body = request("POST", "/webhooks/reply", json.dumps({"raw": raw}), {"Content-Type": "application/json"})
if status != 401:
    fail(f"an unsigned reply webhook got {status}")
status, _, _ = signed("/webhooks/reply", {"raw": raw}, key=b"wrong")
if status != 401:
    fail(f"a wrongly signed reply webhook got {status}")
status, _, _ = signed("/webhooks/reply", {"raw": raw}, age=3600)
if status != 401:
    fail(f"a stale reply webhook got {status}")
if sql("SELECT count(*) FROM outreach.messages WHERE direction = 'inbound'") != "0":
    fail("a refused webhook recorded something")
status, _, body = signed("/webhooks/reply", {"raw": raw})
if status != 200 or not json.loads(body)["matched"]:
    fail(f"reply webhook: {status} {body!r}")
signed("/webhooks/reply", {"raw": raw})  # delivered twice: recorded once
status, _, body = signed("/webhooks/reply", {"in_reply_to": "<nobody@nowhere.example>", "from": "x@y.example"})
if status != 202 or json.loads(body)["matched"]:
    fail(f"an unmatched reply: {status} {body!r}")
status, _, _ = signed("/webhooks/reply", "not an object")
if status != 400:
    fail(f"a malformed reply event got {status}")
inbound = sql("SELECT count(*), min(from_email) FROM outreach.messages WHERE direction = 'inbound'")
if inbound != "1|open@prospects.example":
    fail(f"inbound rows: {inbound!r}")
if sql("SELECT status FROM outreach.campaign_enrollments e JOIN crm.positions p ON p.id = e.position_id WHERE p.email = 'open@prospects.example'") != "replied":
    fail("the reply did not end the enrollment")
status, _, body = signed("/webhooks/bounce", {"message_id": mails["bounce"]["Message-ID"], "type": "hard",
                                               "status": "5.1.1", "diagnostic": "550 5.1.1 user unknown"})
if status != 200:
    fail(f"bounce webhook: {status} {body!r}")
row = sql("""SELECT e.status, p.email_status, coalesce(e.last_error, ''), (SELECT reason FROM tracking.suppressions s WHERE s.email = p.email)
             FROM outreach.campaign_enrollments e JOIN crm.positions p ON p.id = e.position_id WHERE p.email = 'bounce@prospects.example'""")
status_, email_status, last_error, suppressed = row.split("|")
if (status_, email_status, suppressed) != ("bounced", "bounced", "bounced") or "5.1.1" not in last_error:
    fail(f"hard bounce: {row!r}")
print("ok: signed reply webhook (raw message) recorded once and ended the enrollment; unsigned, wrong or stale signatures 401; unmatched 202; hard bounce marked the position bounced, ended the enrollment, suppressed the address")

# --- step 2 only for the untouched prospect ----------------------------------
deadline = time.time() + 20
while time.time() < deadline and len(glob.glob(f"{outbox}/*.eml")) < 5:
    time.sleep(0.2)
time.sleep(1)
second = [email.message_from_bytes(open(p, "rb").read(), policy=email.policy.default)["To"]
          for p in glob.glob(f"{outbox}/*.eml")]
if len(second) != 5 or sorted(second).count("keep@prospects.example") != 2:
    fail(f"after step 2's delay the outbox holds mail to {sorted(second)}")
print("ok: step 2 went to the untouched prospect only: none after a reply, an unsubscribe or a bounce")
