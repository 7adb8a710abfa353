-- P2, the classic row-lock design of WORKLOADS.md: one row per seat, locked with SELECT … FOR UPDATE.
SET client_min_messages = warning;
-- Recreated before every run by scripts/bench; psql variables: none.
DROP TABLE IF EXISTS seats, bookings, ga_sections, ga_bookings;
DROP SEQUENCE IF EXISTS attempts;
DROP FUNCTION IF EXISTS seat_id(int, int);

CREATE TABLE bookings (
    id         bigserial PRIMARY KEY,
    session_id int NOT NULL,
    user_id    int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE seats (
    session_id int    NOT NULL,
    seat_id    text   NOT NULL,           -- 'R01-S01': zero-padded, so text order is seat-id order
    row_no     int    NOT NULL,
    seat_no    int    NOT NULL,
    status     text   NOT NULL DEFAULT 'AVAILABLE' CHECK (status IN ('AVAILABLE', 'RESERVED')),
    booking_id bigint REFERENCES bookings (id),
    PRIMARY KEY (session_id, seat_id)
);
CREATE TABLE ga_sections (
    id        int PRIMARY KEY,
    capacity  int NOT NULL,
    remaining int NOT NULL
);
CREATE TABLE ga_bookings (
    id         bigserial PRIMARY KEY,
    section_id int NOT NULL REFERENCES ga_sections (id),
    user_id    int NOT NULL,
    qty        int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Counts attempts whose view had something to ask for (W1, W3): pgbench's own count also includes the
-- final sold-out view, which is not an attempt. A sequence is outside every transaction: no contention.
CREATE SEQUENCE attempts;

-- The seat id of a 0-based flat index in a hall of `per_row` seats per row (W2 picks indexes blindly).
CREATE FUNCTION seat_id(idx int, per_row int) RETURNS text IMMUTABLE LANGUAGE sql AS
$$ SELECT format('R%s-S%s', lpad((idx / per_row + 1)::text, 2, '0'), lpad((idx % per_row + 1)::text, 2, '0')) $$;
