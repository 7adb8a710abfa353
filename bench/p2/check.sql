-- Correctness of a P2 run, one row: the same checks as Boxoffice's (WORKLOADS.md).
SELECT (SELECT count(*) FROM bookings)                                          AS bookings,
       (SELECT count(*) FROM seats WHERE status = 'RESERVED')                    AS seats_sold,
       (SELECT count(*) FROM seats s WHERE status = 'RESERVED'
          AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.id = s.booking_id)) AS orphan_seats,
       (SELECT count(*) FROM (SELECT booking_id FROM seats WHERE booking_id IS NOT NULL
          GROUP BY booking_id HAVING count(*) <> 2) odd)                        AS bookings_not_two_seats,
       (SELECT coalesce(sum(qty), 0) FROM ga_bookings)                          AS tickets_booked,
       (SELECT count(*) FROM ga_bookings)                                       AS ga_bookings,
       (SELECT coalesce(min(remaining), 0) FROM ga_sections)                    AS remaining,
       (SELECT coalesce(min(capacity), 0) FROM ga_sections)                     AS capacity,
       (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM attempts)     AS view_attempts;
