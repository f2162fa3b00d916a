-- 007_batch.sql: what hark-batch's job runner and enrichment keep (issue 16).
--
-- jobs.status: a job past its last attempt is 'failed' (the issue's word;
-- 001 called it 'error', which no release wrote).  A claim is owner plus
-- claimed_at; lease_until is when a claim held by a runner that died may be
-- taken by another (an expired lease is claimable again).
-- feedback: what an enricher adds beside category, sentiment and impact
-- (an LLM's summary, title, language and spam verdict), and the language a
-- transcriber heard.
ALTER TABLE jobs MODIFY status ENUM('pending', 'running', 'done', 'error',
  'failed') COLLATE utf8mb4_bin NOT NULL DEFAULT 'pending';
UPDATE jobs SET status = 'failed' WHERE status = 'error';
ALTER TABLE jobs MODIFY status ENUM('pending', 'running', 'done',
  'failed') COLLATE utf8mb4_bin NOT NULL DEFAULT 'pending';
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS lease_until DATETIME(6) NULL
  AFTER claimed_at;
ALTER TABLE jobs ADD INDEX IF NOT EXISTS jobs_lease (status, lease_until);
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS summary TEXT NULL AFTER text;
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS title VARCHAR(255) NULL
  AFTER summary;
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS language VARCHAR(35)
  COLLATE utf8mb4_bin NULL AFTER locale;
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS spam TINYINT(1) NULL
  AFTER language;
