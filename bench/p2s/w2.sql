-- W2 many-sessions on P2s, one attempt: a uniform session of :sessions (scripts/bench: 1000), two distinct
-- uniform seats of its 500, blind (no view); book iff both are free, in one round trip.
\set uid random(1, 1000000000)
\set sid random(1, :sessions)
\set first random(0, 499)
\set second random(0, 498)
\if :second >= :first
\set second :second + 1
\endif
SELECT book_pair(:sid, seat_id(:first, 25), seat_id(:second, 25), :uid);
