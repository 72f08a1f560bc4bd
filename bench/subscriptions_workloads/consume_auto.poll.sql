-- Throughput, chronicle: poll and ack each in its own transaction (autocommit).
SELECT * FROM chronicle.poll('paid', 100) \aset
SELECT chronicle.ack('paid', :global_position);
