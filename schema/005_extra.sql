-- 005_extra.sql: an extra field never costs a submission (issue 14 item 11).
--
-- The unknown top-level members of a JSON or multipart payload are kept
-- verbatim with the item, as a JSON object, and shown as "extra"; the
-- answer names each in its warnings.  NULL when there were none.
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS extra JSON NULL AFTER metadata;
