-- W1 hot-session, one attempt. View: a plain SELECT outside the reservation transaction that picks,
-- uniformly at random, one adjacent pair free in this view. When there is none the view returns no row,
-- \gset fails and pgbench ends this client: the sold-out stop (that view is not an attempt).
\set uid random(1, 1000000000)
SELECT a, b, nextval('attempts') AS attempt
FROM (SELECT l.seat_id AS a, r.seat_id AS b
      FROM seats l JOIN seats r ON r.session_id = l.session_id AND r.row_no = l.row_no AND r.seat_no = l.seat_no + 1
      WHERE l.session_id = 1 AND l.status = 'AVAILABLE' AND r.status = 'AVAILABLE'
      ORDER BY random() LIMIT 1) pick \gset
BEGIN;
-- Lock both seats in seat-id order (no deadlocks), then book iff both are still free.
SELECT count(*) FILTER (WHERE status = 'AVAILABLE') AS free
FROM (SELECT status FROM seats WHERE session_id = 1 AND seat_id IN (:a, :b) ORDER BY seat_id FOR UPDATE) locked \gset
\if :free = 2
INSERT INTO bookings (session_id, user_id) VALUES (1, :uid) RETURNING id AS booking \gset
UPDATE seats SET status = 'RESERVED', booking_id = :booking WHERE session_id = 1 AND seat_id IN (:a, :b);
\endif
COMMIT;
