#!/usr/bin/env python3
"""Checks what the test's SMTP server received from the daemon.
argv: OUTDIR DATABASE_URL. Exits non-zero on the first failed check."""
import email
import email.policy
import json
import os
import re
import subprocess
import sys
from email.utils import getaddresses, parsedate_to_datetime

outdir, db = sys.argv[1:3]


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def sql(query):
    return subprocess.run(["psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", db, "-c", query],
                          check=True, capture_output=True, text=True).stdout.strip()


log = [json.loads(line) for line in open(os.path.join(outdir, "log.jsonl"))]
if len(log) != 153:
    fail(f"the SMTP server accepted {len(log)} messages, expected 153 (50 x 3 and the retried one's 3)")
if not all(entry["tls"] and entry["auth"] for entry in log):
    fail("a message was accepted without STARTTLS or AUTH")
connections = len({entry["connection"] for entry in log})
if connections >= len(log) / 2:
    fail(f"{connections} connections for {len(log)} messages: connections are not reused")
print(f"ok: 153 messages over {connections} STARTTLS+AUTH connections")

expected = {}  # recipient -> (first name, company)
for row in sql("""SELECT pos.email, p.first_name, co.name, coalesce(co.domain, '')
                  FROM crm.positions pos JOIN crm.people p ON p.id = pos.person_id
                  JOIN crm.companies co ON co.id = pos.company_id""").splitlines():
    address, first, company, domain = row.split("|")
    expected[address] = (first, company, domain)

by_recipient = {}
for entry in log:
    raw = open(os.path.join(outdir, f"{entry['n']}.eml"), "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    where = f"message {entry['n']} to {entry['rcpt_tos']}"
    if msg.defects or any(part.defects for part in msg.walk()):
        fail(f"{where}: parser defects {msg.defects}")
    for line in raw.split(b"\r\n"):
        if len(line) > 998:
            fail(f"{where}: a line of {len(line)} bytes")
    if raw.replace(b"\r\n", b"").count(b"\n"):
        fail(f"{where}: a bare LF")
    name, address = getaddresses([msg["From"]])[0]
    if (name, address) != ("Équipe Ventes Château", "ventes@chateau-prospect.example"):
        fail(f"{where}: From {msg['From']!r}")
    if "=?" not in raw.split(b"\r\nFrom:")[1].split(b"\r\n")[0].decode() and not raw.startswith(b"From:"):
        fail(f"{where}: the display name is not an encoded word")
    if msg["Reply-To"] != "reponses@chateau-prospect.example":
        fail(f"{where}: Reply-To {msg['Reply-To']!r}")
    to = getaddresses([msg["To"]])[0][1]
    if [to] != entry["rcpt_tos"] or entry["mail_from"] != "ventes@chateau-prospect.example":
        fail(f"{where}: To {to} vs envelope {entry}")
    if not re.fullmatch(r"<[0-9a-f-]{36}@chateau-prospect\.example>", msg["Message-ID"] or ""):
        fail(f"{where}: Message-ID {msg['Message-ID']!r}")
    parsedate_to_datetime(msg["Date"])
    if msg.get_content_type() != "multipart/alternative":
        fail(f"{where}: {msg.get_content_type()}")
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    for part in (plain, html):
        if part.get_content_charset() != "utf-8" or part["Content-Transfer-Encoding"] != "quoted-printable":
            fail(f"{where}: part {part.get_content_type()} {part.get_content_charset()} {part['Content-Transfer-Encoding']}")
    by_recipient.setdefault(to, []).append((msg, plain.get_content(), html.get_content()))

if len(by_recipient) != 51:
    fail(f"{len(by_recipient)} recipients, expected 51")
for to, messages in by_recipient.items():
    if len(messages) != 3:
        fail(f"{to}: {len(messages)} messages")
    first, company, domain = expected[to]
    step1 = [m for m in messages if "In-Reply-To" not in m[0]]
    if len(step1) != 1:
        fail(f"{to}: {len(step1)} messages without In-Reply-To")
    root, root_text, root_html = step1[0]
    if root["Subject"] != f"{first}, une idée pour {company}":
        fail(f"{to}: subject {root['Subject']!r}")
    if f"Bonjour {first}," not in root_text or f"chez {company}," not in root_text:
        fail(f"{to}: step 1 text {root_text!r}")
    escaped = company.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if f"chez {escaped}," not in root_html or "<p>" not in root_html:
        fail(f"{to}: step 1 HTML not escaped: {root_html!r}")
    for msg, text, html in messages:
        if msg is root:
            continue
        if msg["In-Reply-To"] != root["Message-ID"] or root["Message-ID"] not in (msg["References"] or ""):
            fail(f"{to}: follow-up not threaded on {root['Message-ID']}: {msg['In-Reply-To']} / {msg['References']}")
        if msg["Subject"] != "Re: " + root["Subject"]:
            fail(f"{to}: follow-up subject {msg['Subject']!r}")
    finals = [t for _, t, _ in messages if t.startswith("Dernier message")]
    if len(finals) != 1 or (domain or "votre site") + " mérite mieux" not in finals[0]:
        fail(f"{to}: step 3 section rendering {finals}")
print("ok: 51 prospects x 3 steps: headers, encoded words, UTF-8 quoted-printable parts, HTML escaping, sections; steps 2 and 3 threaded on step 1 with Re: subjects")

last_error = sql("SELECT last_error FROM outreach.campaign_enrollments WHERE id = md5('e-enrollment51')::uuid")
if "missing variable 'position.title'" not in last_error or \
        sql("SELECT status FROM outreach.campaign_enrollments WHERE id = md5('e-enrollment51')::uuid") != "failed":
    fail(f"enrollment 51 (no title): {last_error!r}")
refused = sql("SELECT status || '|' || last_error FROM outreach.campaign_enrollments WHERE id = md5('e-enrollment52')::uuid")
if not refused.startswith("failed|") or "550" not in refused:
    fail(f"enrollment 52 (550): {refused!r}")
later = sql("SELECT status FROM outreach.campaign_enrollments WHERE id = md5('e-enrollment53')::uuid")
retries = sql("SELECT count(*) FROM outreach.messages m JOIN outreach.workflow_steps s ON s.id = m.step_id WHERE m.enrollment_id = md5('e-enrollment53')::uuid AND s.step_order = 1 AND m.attempts = 2")
if later != "completed" or retries != "1":
    fail(f"enrollment 53 (451 once): status {later}, retried step-1 messages {retries}")
others = sql("SELECT count(*) FROM outreach.campaign_enrollments WHERE status = 'completed'")
if others != "51":
    fail(f"{others} enrollments completed, expected 51")
print("ok: missing variable fails only its enrollment naming position.title; 550 permanent, 451 retried then sent")
