-- psql variable: capacity.
INSERT INTO ga_sections (id, capacity, remaining) VALUES (1, :capacity, :capacity);
VACUUM ANALYZE ga_sections;
