-- 011_hooks.sql: inbound alert webhooks (issue 22): a project's hooks, and
-- the alerts that are items.
--
-- hooks.secret_hash finds the hook a Bearer or Basic secret (hk_...) names,
-- as api_keys does; hooks.secret holds, for Sentry only, its integration's
-- client secret, which hark needs whole to check Sentry-Hook-Signature.
-- alerts: one row per fingerprint of a project, naming the item it fires
-- into; a repeat while that item is open only counts, and once the item is
-- done or canceled the next firing makes a new item.  Its own table, so the
-- feedback table (and every ingest) carries no alert index.
CREATE TABLE IF NOT EXISTS hooks (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  kind ENUM('alertmanager', 'grafana', 'sentry') COLLATE utf8mb4_bin
    NOT NULL,
  secret_hash BINARY(32) NULL,
  secret VARBINARY(256) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  revoked_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY hooks_secret (secret_hash),
  KEY hooks_project (project_id),
  CONSTRAINT hooks_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS alerts (
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  fingerprint VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
  feedback_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  source VARCHAR(16) COLLATE utf8mb4_bin NOT NULL,
  fired INT UNSIGNED NOT NULL DEFAULT 1,
  first_seen DATETIME(6) NOT NULL,
  last_seen DATETIME(6) NOT NULL,
  resolved_at DATETIME(6) NULL,
  PRIMARY KEY (project_id, fingerprint),
  KEY alerts_feedback (feedback_id),
  CONSTRAINT alerts_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE,
  CONSTRAINT alerts_feedback_fk FOREIGN KEY (feedback_id)
    REFERENCES feedback (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE feedback MODIFY channel ENUM('api', 'widget', 'voice', 'alert')
  COLLATE utf8mb4_bin NOT NULL DEFAULT 'api';
