-- W3 flash-GA on P2s, one request of 1–:most tickets: P2's view (bench/p2/w3.sql: remaining, outside the
-- transaction; 0 returns no row and pgbench ends this client), then the booking in one round trip.
\set uid random(1, 1000000000)
\set qty random(1, :most)
SELECT remaining AS seen, nextval('attempts') AS attempt FROM ga_sections WHERE id = 1 AND remaining > 0 \gset
SELECT book_ga(1, :qty, :uid);
