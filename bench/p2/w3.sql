-- W3 flash-GA, one request of 1–:most tickets (no concurrency conflicts in P2: one attempt per request);
-- scripts/bench sets most=4 for W3 and most=1 for W3 tiny.
-- View: remaining, outside the transaction; remaining = 0 returns no row and pgbench ends this client
-- (sold out; not an attempt).
\set uid random(1, 1000000000)
\set qty random(1, :most)
SELECT remaining AS seen, nextval('attempts') AS attempt FROM ga_sections WHERE id = 1 AND remaining > 0 \gset
BEGIN;
SELECT remaining FROM ga_sections WHERE id = 1 FOR UPDATE \gset
\if :remaining >= :qty
INSERT INTO ga_bookings (section_id, user_id, qty) VALUES (1, :uid, :qty);
UPDATE ga_sections SET remaining = remaining - :qty WHERE id = 1;
\endif
COMMIT;
