-- 012_idempotency_holder.sql: who holds an in-flight Idempotency-Key claim
-- (lib/store_idempotency.c, HOLDER_LOCK).
--
-- A request its worker's watchdog ended ([server] request_timeout) leaves
-- its claim in flight; without these the retry got 409 until the claim was
-- 60 s old.  holder_conn is the claiming session's CONNECTION_ID(), which
-- holds the user lock 'hark-idem-<holder_conn>' while it lives;
-- holder_deadline is when the claiming request's request_timeout ends
-- (NULL: it had none).  Past the deadline, with the lock free, the holder
-- can commit nothing more, and a retry with the same content takes the
-- claim over at once.  Rows claimed before this migration have neither and
-- keep the 60 s rule.
ALTER TABLE idempotency_keys
  ADD COLUMN IF NOT EXISTS holder_conn BIGINT UNSIGNED NULL AFTER claimed_at,
  ADD COLUMN IF NOT EXISTS holder_deadline DATETIME(6) NULL AFTER holder_conn;
