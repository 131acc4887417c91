-- name: pf_ensure_senders
INSERT INTO outreach.sender_pacing (organisation_id, from_email, next_send_at)
SELECT DISTINCT organisation_id, from_email, timestamptz '-infinity'
FROM unnest($1::uuid[], $2::citext[]) AS w(organisation_id, from_email)
ON CONFLICT (organisation_id, from_email) DO NOTHING

-- name: pf_lock_senders
SELECT sp.organisation_id, sp.from_email,
       pf_micros(greatest(sp.next_send_at, pf_from_micros($3))) AS next_send_at,
       pf_micros(greatest(sp.queued_until, pf_from_micros($3))) AS queued_until
FROM outreach.sender_pacing sp
JOIN (SELECT DISTINCT * FROM unnest($1::uuid[], $2::citext[])) AS w(organisation_id, from_email)
  ON sp.organisation_id = w.organisation_id AND sp.from_email = w.from_email
ORDER BY sp.organisation_id, sp.from_email
FOR UPDATE OF sp

-- name: pf_set_senders
UPDATE outreach.sender_pacing sp
SET next_send_at = pf_from_micros(w.next_send_at), queued_until = pf_from_micros(w.queued_until)
FROM unnest($1::uuid[], $2::citext[], $3::bigint[], $4::bigint[])
     AS w(organisation_id, from_email, next_send_at, queued_until)
WHERE sp.organisation_id = w.organisation_id AND sp.from_email = w.from_email

