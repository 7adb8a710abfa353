-- P2s, the row-lock design at its strongest (WORKLOADS.md): P2's reservation transaction (bench/p2/w1.sql,
-- w2.sql, w3.sql) as one PL/pgSQL function per attempt. `SELECT book_pair(…)` runs in its own implicit
-- transaction: one round trip, and the row locks are never held across a client round trip.
-- Loaded after bench/p2/schema.sql (same tables, same seeds, same bench/p2/check.sql).

-- Reserves both seats for a new booking iff both are AVAILABLE; returns the booking id, or NULL (conflict).
CREATE OR REPLACE FUNCTION book_pair(p_session int, p_seat_a text, p_seat_b text, p_user int) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    free_seats int;
    new_booking bigint;
BEGIN
    -- Lock both seats in seat-id order (no deadlocks), then book iff both are still free.
    SELECT count(*) FILTER (WHERE status = 'AVAILABLE') INTO free_seats
    FROM (SELECT status FROM seats WHERE session_id = p_session AND seat_id IN (p_seat_a, p_seat_b)
          ORDER BY seat_id FOR UPDATE) locked;
    IF free_seats <> 2 THEN
        RETURN NULL;
    END IF;
    INSERT INTO bookings (session_id, user_id) VALUES (p_session, p_user) RETURNING id INTO new_booking;
    UPDATE seats SET status = 'RESERVED', booking_id = new_booking
    WHERE session_id = p_session AND seat_id IN (p_seat_a, p_seat_b);
    RETURN new_booking;
END $$;

-- Books p_qty places of the section iff that many remain; returns whether it did (false: insufficient).
CREATE OR REPLACE FUNCTION book_ga(p_section int, p_qty int, p_user int) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    places int;
BEGIN
    SELECT remaining INTO places FROM ga_sections WHERE id = p_section FOR UPDATE;
    IF places IS NULL OR places < p_qty THEN
        RETURN false;
    END IF;
    INSERT INTO ga_bookings (section_id, user_id, qty) VALUES (p_section, p_user, p_qty);
    UPDATE ga_sections SET remaining = remaining - p_qty WHERE id = p_section;
    RETURN true;
END $$;
