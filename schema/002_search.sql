-- 002_search.sql: a FULLTEXT index that serves GET /v1/feedback?q= (issue 13:
-- a LIKE '%q%' scanned a project's every row, 38 s on 640k rows).
--
-- lib/store_feedback.c asks it for q's words as one phrase (MATCH ... AGAINST
-- ('+"..."' IN BOOLEAN MODE)) and keeps, of the rows it finds, those whose
-- text holds q as written.  InnoDB indexes words of innodb_ft_min_token_size
-- (3) to innodb_ft_max_token_size (84) characters; the store searches a q
-- without such a word in a bounded window of the newest rows instead.
--
-- The stopword list is read when the index is built: without it "the",
-- "with" and "about" are indexed too, so a phrase holding them still finds
-- its rows.  The session variable lasts for this connection only.
SET SESSION innodb_ft_enable_stopword = 0;

-- Adds the hidden FTS_DOC_ID column: the table is rebuilt once (minutes on
-- millions of rows; harkctl migrate runs without a statement time limit).
ALTER TABLE feedback ADD FULLTEXT INDEX IF NOT EXISTS feedback_text (text);
