-- 004_source_key_hash.sql: sources' public keys are kept as their SHA-256.
--
-- Since this release hark stores and looks up a source's pk_ key as the
-- lowercase hex SHA-256 of the key (like secret keys), never the key itself.
-- Sources made before it hold the key in clear; hash those in place so
-- their widgets keep working.  A hash never starts with "pk_", so running
-- this again changes nothing.
UPDATE sources SET public_key = SHA2(public_key, 256)
 WHERE public_key LIKE 'pk\_%';
