-- 003_idempotency.sql: Idempotency-Key on POST /v1/feedback (issue 14 item
-- 10; the IETF draft "The Idempotency-Key HTTP Header Field", Stripe's API).
--
-- One row per (project, key).  The INSERT that makes it is the claim: a
-- second request with the key finds the row instead.  While state is
-- in_flight the first request is still running (a claim older than 60 s is
-- a worker that died and is taken over); done holds the 2xx answer replayed
-- to every retry until expires_at, when hark-batch housekeeping deletes it.
-- request_hash is the SHA-256 of the request's content: the same key with
-- other content is refused (422).
CREATE TABLE IF NOT EXISTS idempotency_keys (
  project_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  idem_key VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
  request_hash BINARY(32) NOT NULL,
  -- The id the claiming request files: a takeover files the same one.
  feedback_id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL,
  state ENUM('in_flight', 'done') COLLATE utf8mb4_bin NOT NULL DEFAULT 'in_flight',
  response_status SMALLINT UNSIGNED NULL,
  response_body MEDIUMTEXT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  -- When the claim was made or last taken over (the in-flight bound).
  claimed_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  expires_at DATETIME(6) NOT NULL,
  PRIMARY KEY (project_id, idem_key),
  KEY idempotency_keys_expiry (expires_at),
  CONSTRAINT idempotency_keys_project FOREIGN KEY (project_id)
    REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
