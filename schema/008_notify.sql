-- 008_notify.sql: what the inbox's notifications keep (issue 18): webhook
-- endpoints and their delivery log, a project's Linear link, what the
-- created scan has announced, and the quarantine of items held as spam.
--
-- webhooks.secret is the raw key of the endpoint's whsec_ secret: unlike an
-- API key it cannot be stored hashed, since hark signs with it.  It is
-- shown once, by harkctl webhook add and rotate-secret.
-- webhook_deliveries.payload is the exact body signed and sent; it holds
-- personal data, so it goes with its feedback row (erasure, retention).
CREATE TABLE IF NOT EXISTS webhooks (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  url VARCHAR(2048) NOT NULL,
  events SET('feedback.created', 'feedback.updated', 'feedback.resolved',
    'comment.created') COLLATE utf8mb4_bin NOT NULL,
  secret VARBINARY(64) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY webhooks_project (project_id),
  CONSTRAINT webhooks_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One event for one endpoint.  id is the webhook-id header, the same on
-- every attempt so that a receiver can drop a repeat.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  webhook_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  feedback_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  comment_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  event VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
  payload MEDIUMTEXT NOT NULL,
  status ENUM('pending', 'delivered', 'failed') COLLATE utf8mb4_bin
    NOT NULL DEFAULT 'pending',
  attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  last_status SMALLINT UNSIGNED NULL,
  last_error VARCHAR(512) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    ON UPDATE CURRENT_TIMESTAMP(6),
  delivered_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  KEY webhook_deliveries_webhook (webhook_id, created_at),
  KEY webhook_deliveries_feedback (feedback_id),
  KEY webhook_deliveries_project (project_id, created_at),
  -- Housekeeping's purge of the log.
  KEY webhook_deliveries_created (created_at),
  CONSTRAINT webhook_deliveries_webhook_fk FOREIGN KEY (webhook_id)
    REFERENCES webhooks (id) ON DELETE CASCADE,
  CONSTRAINT webhook_deliveries_feedback_fk FOREIGN KEY (feedback_id)
    REFERENCES feedback (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A project's Linear mirror.  key_file names the file holding the API key
-- (read by hark-batch when it runs, never stored here); trigger_on says
-- whether an issue is made when feedback arrives or once it is triaged.
CREATE TABLE IF NOT EXISTS project_linear (
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  team_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  key_file VARCHAR(1024) COLLATE utf8mb4_bin NOT NULL,
  trigger_on ENUM('created', 'triaged') COLLATE utf8mb4_bin NOT NULL
    DEFAULT 'created',
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (project_id),
  CONSTRAINT project_linear_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- feedback.created is found by hark-batch from the rows themselves: a row
-- not yet announced has notified_at NULL (the ingest path writes nothing
-- more for it); the scan stamps it when it enqueues the row's event.
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS notified_at DATETIME(6) NULL
  AFTER updated_at;
ALTER TABLE feedback ADD INDEX IF NOT EXISTS feedback_unannounced
  (project_id, notified_at, created_at);

-- Held as spam (an enricher's verdict): out of the default listing until a
-- person releases it (PATCH quarantined false).
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS quarantined TINYINT(1)
  NOT NULL DEFAULT 0 AFTER spam;
-- Erasure and export by reporter.
ALTER TABLE feedback ADD INDEX IF NOT EXISTS feedback_reporter_email
  (project_id, user_email(191));
ALTER TABLE feedback ADD INDEX IF NOT EXISTS feedback_reporter_user
  (project_id, user_id(191));
ALTER TABLE jobs ADD INDEX IF NOT EXISTS jobs_comment (comment_id);
