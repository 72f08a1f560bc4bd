-- 1. the floor: the same stream's event data, every row fetched by the client.
SELECT data FROM chronicle.events WHERE stream = 'order-big';
