-- Undo 0004: drop the media tables.
-- squawk-ignore-file ban-drop-table -- a rollback drops exactly what its migration created
SET LOCAL lock_timeout = '5s';
SET LOCAL statement_timeout = '60s';
DROP TABLE variant_media;
DROP TABLE product_media;
DROP TABLE media;
