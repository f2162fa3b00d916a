-- 009_triage.sql: the learned triage's confidence in the category it gave
-- (issue 17; lib/triage_model.c), shown as triageConfidence.  NULL when
-- the rules alone triaged the row, or it predates the model.
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS triage_confidence
  DECIMAL(4,3) NULL AFTER triaged_by;
