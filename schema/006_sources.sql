-- 006_sources.sql: sources managed whole from harkctl (issue 15 item 1).
--
-- What the widget flow (bootstrap, ingest) reads of a source beside its key,
-- type, name, require_captcha, rate_limit and disabled_at (001_init.sql):
-- - captcha_provider: whose siteverify checks captchaToken; NULL = none set
--   (a source that requires a captcha without one refuses every ingest);
-- - captcha_sitekey: the public site key bootstrap hands the widget;
-- - captcha_secret: the provider's secret, read by harkctl from a file,
--   never shown by harkctl nor logged;
-- - dedup_window: seconds within which the same content is a duplicate;
--   NULL = the configured [widget] dedup_window (600).
-- ADD COLUMN IF NOT EXISTS throughout, so a run cut short can be re-run.
ALTER TABLE sources ADD COLUMN IF NOT EXISTS captcha_provider
  ENUM('hcaptcha', 'turnstile') COLLATE utf8mb4_bin NULL AFTER require_captcha;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS captcha_sitekey
  VARCHAR(255) COLLATE utf8mb4_bin NULL AFTER captcha_provider;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS captcha_secret
  VARCHAR(255) COLLATE utf8mb4_bin NULL AFTER captcha_sitekey;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS dedup_window
  INT UNSIGNED NULL AFTER rate_limit;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS updated_at
  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
  ON UPDATE CURRENT_TIMESTAMP(6) AFTER created_at;
