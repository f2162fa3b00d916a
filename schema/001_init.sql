-- 001_init.sql: hark's data model (DESIGN.md, "The API" and "Storage").
--
-- Applied by `harkctl migrate`, which splits this file on ';' at the end of
-- a line and skips whole-line '--' comments: keep one statement per
-- ';'-terminated block and no ';' at the end of a line inside a statement.
--
-- Conventions:
-- - utf8mb4 everywhere.  Identifiers made by hark (prj_..., fb_..., pk_...),
--   labels, origin patterns and enumerated words compare byte for byte
--   (utf8mb4_bin); free text uses utf8mb4_unicode_ci.
-- - Ids are made by hark before the INSERT (a retry after a lost connection
--   must be able to find its own row), so they are strings, not
--   AUTO_INCREMENT; only audit_log, written once and never retried, counts.
-- - Every DATETIME(6) is UTC: hark sets the session time zone to +00:00.
-- - Every table has a primary key (Galera needs one to replicate rows).
-- - Deleting a project deletes everything it owns; deleting a feedback row
--   deletes its labels, comments, media rows and pending jobs (the files on
--   disk are removed by hark, which reads their paths first).
-- - CREATE TABLE IF NOT EXISTS throughout, so a run cut short can be re-run.

CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT UNSIGNED NOT NULL,
  name VARCHAR(255) NOT NULL,
  applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A tenant: everything else hangs off a project.
CREATE TABLE IF NOT EXISTS projects (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  name VARCHAR(200) NOT NULL,
  -- Submissions per minute; NULL = the configured [limits] rate_limit.
  rate_limit INT UNSIGNED NULL,
  -- Feedback older than this is erased by hark-batch; NULL = kept forever.
  retention_days INT UNSIGNED NULL,
  -- Signed webhooks (HMAC-SHA256 of the body with webhook_secret).
  webhook_url VARCHAR(2048) NULL,
  webhook_secret VARCHAR(255) COLLATE utf8mb4_bin NULL,
  -- Linear mirror: issues are created in this team.
  linear_team_id VARCHAR(64) COLLATE utf8mb4_bin NULL,
  linear_api_key VARCHAR(255) COLLATE utf8mb4_bin NULL,
  -- Email the submitter when their feedback is resolved.
  notify_submitter TINYINT(1) NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  CONSTRAINT projects_retention CHECK (retention_days IS NULL OR retention_days > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Secret keys (sk_...): only the SHA-256 of the key is stored.
CREATE TABLE IF NOT EXISTS api_keys (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  name VARCHAR(200) NOT NULL DEFAULT '',
  -- The first characters of the key ("sk_Ab12"), to tell keys apart.
  prefix VARCHAR(16) COLLATE utf8mb4_bin NOT NULL,
  key_hash BINARY(32) NOT NULL,
  -- Requests per minute for this key; NULL = the configured default.
  rate_limit INT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  last_used_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY api_keys_hash (key_hash),
  KEY api_keys_project (project_id, created_at),
  CONSTRAINT api_keys_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Project CORS allowlist for /v1/*: exact origins or "*.example.com".
CREATE TABLE IF NOT EXISTS project_origins (
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  pattern VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (project_id, pattern),
  CONSTRAINT project_origins_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Widget sources, found by their public key (pk_...) at bootstrap.
CREATE TABLE IF NOT EXISTS sources (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  public_key VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  type VARCHAR(32) COLLATE utf8mb4_bin NOT NULL DEFAULT 'widget',
  name VARCHAR(200) NOT NULL DEFAULT '',
  require_captcha TINYINT(1) NOT NULL DEFAULT 1,
  -- Submissions per minute per (IP, source); NULL = the configured default.
  rate_limit INT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- A disabled source answers bootstrap and ingest with 404.
  disabled_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY sources_public_key (public_key),
  KEY sources_project (project_id, created_at),
  CONSTRAINT sources_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A source's allowed origins; none = any origin (server-to-server use).
CREATE TABLE IF NOT EXISTS source_origins (
  source_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  pattern VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (source_id, pattern),
  CONSTRAINT source_origins_source_fk FOREIGN KEY (source_id)
    REFERENCES sources (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The inbox.  One row per accepted submission, whichever API it came by.
CREATE TABLE IF NOT EXISTS feedback (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  source_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  session_id VARCHAR(64) COLLATE utf8mb4_bin NULL,
  -- How it arrived: api (JSON with a key), widget (ingest), voice (multipart).
  channel ENUM('api', 'widget', 'voice') COLLATE utf8mb4_bin NOT NULL DEFAULT 'api',
  -- What the user wrote, or the transcript of what they said.
  text MEDIUMTEXT NOT NULL,
  page VARCHAR(2048) NULL,
  user_email VARCHAR(320) NULL,
  -- Captured browser context (dom, console, network, device, page).
  context JSON NULL,
  -- Anything else the client sent that hark keeps verbatim.
  metadata JSON NULL,
  audio_duration_ms INT UNSIGNED NULL,
  category ENUM('bug', 'feature_request', 'improvement', 'question',
    'praise', 'other') COLLATE utf8mb4_bin NOT NULL DEFAULT 'other',
  sentiment ENUM('positive', 'neutral', 'negative') COLLATE utf8mb4_bin
    NOT NULL DEFAULT 'neutral',
  sentiment_score DECIMAL(4,3) NULL,
  impact_score TINYINT UNSIGNED NOT NULL DEFAULT 0,
  -- Which triage produced category/sentiment/impact: builtin, openai, client.
  triaged_by VARCHAR(16) COLLATE utf8mb4_bin NULL,
  status ENUM('new', 'triaged', 'in_progress', 'done', 'canceled')
    COLLATE utf8mb4_bin NOT NULL DEFAULT 'new',
  -- 0 = highest .. 4 = lowest; NULL = not prioritised.
  priority TINYINT UNSIGNED NULL,
  resolution_note TEXT NULL,
  resolved_at DATETIME(6) NULL,
  -- Identity of the submitter (identify backfills these on anonymous rows).
  user_id VARCHAR(255) NULL,
  user_name VARCHAR(255) NULL,
  user_traits JSON NULL,
  locale VARCHAR(35) COLLATE utf8mb4_bin NULL,
  -- SHA-256 of the normalized content, for duplicate detection.
  content_hash BINARY(32) NULL,
  -- Linked tracker issue (Linear mirror).
  linear_issue_id VARCHAR(64) COLLATE utf8mb4_bin NULL,
  linear_issue_url VARCHAR(512) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  -- Keyset pagination, newest first: ORDER BY created_at DESC, id DESC.
  KEY feedback_list (project_id, created_at, id),
  KEY feedback_status (project_id, status, created_at),
  KEY feedback_category (project_id, category, created_at),
  -- Dedup: the same content hash within the window.
  KEY feedback_dedup (project_id, content_hash, created_at),
  -- Identify: the session's rows that are still anonymous.
  KEY feedback_session (project_id, session_id),
  -- Retention sweeps across projects.
  KEY feedback_created (created_at),
  KEY feedback_source (source_id),
  CONSTRAINT feedback_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE,
  CONSTRAINT feedback_source_fk FOREIGN KEY (source_id)
    REFERENCES sources (id) ON DELETE SET NULL,
  CONSTRAINT feedback_priority CHECK (priority IS NULL OR priority <= 4),
  CONSTRAINT feedback_impact CHECK (impact_score <= 14),
  CONSTRAINT feedback_sentiment_score
    CHECK (sentiment_score IS NULL OR sentiment_score BETWEEN -1 AND 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Labels of a feedback row; PATCH replaces the whole set.
CREATE TABLE IF NOT EXISTS feedback_labels (
  feedback_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  label VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (feedback_id, label),
  KEY feedback_labels_label (label),
  CONSTRAINT feedback_labels_feedback_fk FOREIGN KEY (feedback_id)
    REFERENCES feedback (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Comments on a feedback row, listed oldest first.
CREATE TABLE IF NOT EXISTS comments (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  feedback_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  body TEXT NOT NULL,
  author_type ENUM('human', 'agent', 'submitter') COLLATE utf8mb4_bin
    NOT NULL DEFAULT 'human',
  author_id VARCHAR(255) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY comments_feedback (feedback_id, created_at, id),
  CONSTRAINT comments_feedback_fk FOREIGN KEY (feedback_id)
    REFERENCES feedback (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Voice submissions in flight: the state endpoint reads this until it
-- expires (1 h).  A session id is the client's, so it is unique per project.
CREATE TABLE IF NOT EXISTS sessions (
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  session_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  source_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  status ENUM('processing', 'done', 'error') COLLATE utf8mb4_bin
    NOT NULL DEFAULT 'processing',
  -- The feedback row made when processing finished.
  feedback_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  -- Why processing failed, in words fit for the client.
  error VARCHAR(255) NULL,
  transcript MEDIUMTEXT NULL,
  context JSON NULL,
  identity JSON NULL,
  audio_duration_ms INT UNSIGNED NULL,
  expires_at DATETIME(6) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (project_id, session_id),
  KEY sessions_expires (expires_at),
  KEY sessions_feedback (feedback_id),
  CONSTRAINT sessions_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE,
  CONSTRAINT sessions_feedback_fk FOREIGN KEY (feedback_id)
    REFERENCES feedback (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Stored uploads.  A voice submission's media arrive before its feedback
-- row exists: they belong to the session first and get feedback_id when
-- processing makes the row.  path is relative to the media directory.
CREATE TABLE IF NOT EXISTS media (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  feedback_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  session_id VARCHAR(64) COLLATE utf8mb4_bin NULL,
  kind ENUM('audio', 'screenshot') COLLATE utf8mb4_bin NOT NULL,
  path VARCHAR(512) COLLATE utf8mb4_bin NOT NULL,
  -- Typed by libmagic, never by the client's claim.
  mime VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  bytes BIGINT UNSIGNED NOT NULL,
  sha256 BINARY(32) NOT NULL,
  duration_ms INT UNSIGNED NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY media_feedback_kind (feedback_id, kind),
  UNIQUE KEY media_path (path),
  KEY media_session (project_id, session_id),
  KEY media_created (created_at),
  CONSTRAINT media_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE,
  CONSTRAINT media_feedback_fk FOREIGN KEY (feedback_id)
    REFERENCES feedback (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Work for hark-batch.  A claim is one conditional UPDATE:
--   UPDATE jobs SET owner = ?, claimed_at = NOW(6), status = 'running'
--   WHERE status = 'pending' AND run_after <= NOW(6) AND owner IS NULL
--   ORDER BY run_after LIMIT 1
-- (SELECT ... FOR UPDATE SKIP LOCKED does not lock across Galera nodes).
CREATE TABLE IF NOT EXISTS jobs (
  id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  -- transcribe, enrich, email, webhook, linear, housekeeping.
  kind VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  feedback_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  session_id VARCHAR(64) COLLATE utf8mb4_bin NULL,
  comment_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  payload JSON NULL,
  status ENUM('pending', 'running', 'done', 'error') COLLATE utf8mb4_bin
    NOT NULL DEFAULT 'pending',
  attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  max_attempts SMALLINT UNSIGNED NOT NULL DEFAULT 5,
  run_after DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- host:pid of the hark-batch run holding the claim; NULL = unclaimed.
  owner VARCHAR(128) COLLATE utf8mb4_bin NULL,
  claimed_at DATETIME(6) NULL,
  last_error VARCHAR(512) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    ON UPDATE CURRENT_TIMESTAMP(6),
  finished_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  -- Claiming due jobs, and finding claims abandoned by a dead run.
  KEY jobs_due (status, run_after),
  KEY jobs_claimed (status, claimed_at),
  KEY jobs_owner (owner),
  KEY jobs_project (project_id),
  KEY jobs_feedback (feedback_id),
  KEY jobs_session (session_id),
  CONSTRAINT jobs_project_fk FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE,
  CONSTRAINT jobs_feedback_fk FOREIGN KEY (feedback_id)
    REFERENCES feedback (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who did what with which key.  No foreign keys: the trail outlives the
-- project and key it mentions.  detail never holds feedback text or keys.
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  project_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  key_id VARCHAR(40) COLLATE utf8mb4_bin NULL,
  action VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
  remote_addr VARCHAR(45) COLLATE utf8mb4_bin NULL,
  detail VARCHAR(1024) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY audit_log_project (project_id, created_at),
  KEY audit_log_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
