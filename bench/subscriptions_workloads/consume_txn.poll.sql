-- Throughput, chronicle: one batch per transaction, as a consumer does it: poll the next 100
-- events (the client receives them all), acknowledge the last one, commit. \aset keeps the
-- last row's columns; an empty poll assigns nothing (and the ack repeats the last position).
BEGIN;
SELECT * FROM chronicle.poll('paid', 100) \aset
SELECT chronicle.ack('paid', :global_position);
COMMIT;
