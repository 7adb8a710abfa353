-- psql variables: sessions, rows, per_row. All seats AVAILABLE.
INSERT INTO seats (session_id, seat_id, row_no, seat_no)
SELECT s, format('R%s-S%s', lpad(r::text, 2, '0'), lpad(n::text, 2, '0')), r, n
FROM generate_series(1, :sessions) s, generate_series(1, :rows) r, generate_series(1, :per_row) n;
VACUUM ANALYZE seats;
