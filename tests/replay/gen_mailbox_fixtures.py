#!/usr/bin/env python3
"""Writes the sender-mailbox replay fixtures (tests/replay/mailbox_*.json):

  mailbox_ramp_up       one new mailbox ramping from 5 a day by 5 to 25, 120
                        prospects, two weeks
  mailbox_auth_failure  a pool of three; one mailbox's login is refused at
                        09:03 on Monday and fixed (resumed) on Wednesday
  mailbox_shared        one mailbox (6 a day) shared by two campaigns, one of
                        which also has a mailbox of its own (4 a day)

Fixtures never carry mailbox secrets. Run it again after changing it, then
PF_UPDATE_GOLDEN=1 to rewrite the transcripts (review the diff)."""
import json
import os

ORG = "1b000000-0000-4000-8000-000000000001"
HERE = os.path.dirname(os.path.abspath(__file__))


def uid(kind, n):
    return f"1b{kind}00000-0000-4000-8000-{n:012d}"


def mailbox(n, email, limit, **extra):
    row = {"organisation_id": ORG, "id": uid("e", n), "email": email,
           "display_name": email.split("@")[0].capitalize(), "status": "active",
           "timezone": "Europe/Paris", "daily_limit": limit, "min_gap_seconds": 60,
           "max_jitter_seconds": 60, "smtp_url": "smtp://smtp.envoi.example:587",
           "smtp_security": "starttls", "auth_kind": "password"}
    row.update(extra)
    return row


def campaign(n, name):
    return {"organisation_id": ORG, "id": uid("a", n), "name": name, "status": "active",
            "timezone": "Europe/Paris", "send_window_start": "09:00:00",
            "send_window_end": "18:00:00", "send_days": [1, 2, 3, 4, 5],
            "daily_send_limit": 1000, "from_email": "equipe@envoi.example",
            "from_name": "Équipe Envoi"}


def document(note, start, until, mailboxes, campaigns, pools, steps, prospects, events=()):
    tables = {
        "iam.organisations": [{"id": ORG, "name": "Envoi Multiple", "slug": "envoi"}],
        "outreach.mailboxes": mailboxes,
        "outreach.prompts": [{"organisation_id": ORG, "id": uid("f", 1), "name": "contact",
                              "version": 1, "generator": "template",
                              "subject_template": "Une idée pour {{person.first_name}}",
                              "body_template": "Bonjour {{person.first_name}},\n\nUne idée."}],
        "outreach.campaigns": campaigns,
        "outreach.campaign_mailboxes": [
            {"organisation_id": ORG, "campaign_id": uid("a", c), "mailbox_id": uid("e", m),
             "weight": w} for c, m, w in pools],
        "outreach.workflow_steps": [],
        "crm.people": [],
        "outreach.campaign_enrollments": [],
    }
    for c in campaigns:
        cn = int(c["id"][-3:])
        for order, delay in enumerate(steps, start=1):
            tables["outreach.workflow_steps"].append(
                {"organisation_id": ORG, "id": uid("b", cn * 10 + order), "campaign_id": c["id"],
                 "step_order": order, "delay_seconds": delay, "prompt_id": uid("f", 1),
                 "condition": "always", "thread_with_previous": order > 1})
    for i, cn in prospects:
        tables["crm.people"].append(
            {"organisation_id": ORG, "id": uid("d", i), "first_name": f"Prénom{i}",
             "last_name": "Nom", "email": f"p{i}@prospects.example"})
        tables["outreach.campaign_enrollments"].append(
            {"organisation_id": ORG, "id": uid("c", i), "campaign_id": uid("a", cn),
             "person_id": uid("d", i), "status": "active", "current_step_order": 0,
             "next_run_at": start})
    return {"format": "prospectflow-replay-fixture", "version": 1, "source": {"note": note},
            "replay": {"from": start, "until": until, "seed": 5, "spacing_min_ms": 0,
                       "spacing_max_ms": 0},
            "tables": tables, "events": list(events)}


def write(name, doc):
    with open(os.path.join(HERE, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


write("mailbox_ramp_up", document(
    "Montée en charge d'une boîte neuve", "2027-06-07T06:00:00Z", "14d",
    [mailbox(1, "neuve@envoi.example", 25, ramp_start_date="2027-06-07", ramp_initial=5,
             ramp_step_per_day=5)],
    [campaign(1, "Montée en charge")], [(1, 1, 1)], [0], [(i, 1) for i in range(1, 121)]))

write("mailbox_auth_failure", document(
    "Une boîte refuse la connexion", "2027-06-07T06:00:00Z", "4d",
    [mailbox(1, "anne@envoi.example", 10), mailbox(2, "bruno@envoi.example", 10),
     mailbox(3, "chloe@envoi.example", 10)],
    [campaign(1, "Pool à trois")], [(1, 1, 1), (1, 2, 1), (1, 3, 1)], [0, 86400],
    [(i, 1) for i in range(1, 19)],
    events=[{"at": "2027-06-07T07:03:00Z", "type": "adapter_failure", "outcome": "authentication",
             "from": "bruno@envoi.example", "count": 1,
             "note": "bruno's password was changed by its owner"},
            {"at": "2027-06-09T08:00:00Z", "type": "mailbox_resume", "mailbox_id": uid("e", 2),
             "note": "the password is fixed; an operator resumes the mailbox"}]))

write("mailbox_shared", document(
    "Une boîte partagée par deux campagnes", "2027-06-07T06:00:00Z", "7d",
    [mailbox(1, "commune@envoi.example", 6), mailbox(2, "propre@envoi.example", 4)],
    [campaign(1, "Campagne X"), campaign(2, "Campagne Y")],
    [(1, 1, 1), (1, 2, 2), (2, 1, 1)], [0],
    [(i, 1 + i % 2) for i in range(1, 31)]))
