-- W1 hot-session on P2s, one attempt: P2's view (bench/p2/w1.sql: a plain SELECT outside the reservation
-- that picks a random adjacent pair free in this view; no row = sold out, pgbench ends this client), then
-- the reservation in one round trip.
\set uid random(1, 1000000000)
SELECT a, b, nextval('attempts') AS attempt
FROM (SELECT l.seat_id AS a, r.seat_id AS b
      FROM seats l JOIN seats r ON r.session_id = l.session_id AND r.row_no = l.row_no AND r.seat_no = l.seat_no + 1
      WHERE l.session_id = 1 AND l.status = 'AVAILABLE' AND r.status = 'AVAILABLE'
      ORDER BY random() LIMIT 1) pick \gset
SELECT book_pair(1, :a, :b, :uid);
