-- W2 many-sessions, one attempt: a uniform session of :sessions (scripts/bench: 1000), two distinct
-- uniform seats of its 500, blind (no view); book iff both are free.
\set uid random(1, 1000000000)
\set sid random(1, :sessions)
\set first random(0, 499)
\set second random(0, 498)
\if :second >= :first
\set second :second + 1
\endif
BEGIN;
SELECT count(*) FILTER (WHERE status = 'AVAILABLE') AS free
FROM (SELECT status FROM seats WHERE session_id = :sid AND seat_id IN (seat_id(:first, 25), seat_id(:second, 25))
      ORDER BY seat_id FOR UPDATE) locked \gset
\if :free = 2
INSERT INTO bookings (session_id, user_id) VALUES (:sid, :uid) RETURNING id AS booking \gset
UPDATE seats SET status = 'RESERVED', booking_id = :booking
WHERE session_id = :sid AND seat_id IN (seat_id(:first, 25), seat_id(:second, 25));
\endif
COMMIT;
