-- 010_links.sql: an item's link to an external item (issue 22), such as the
-- product idea or tracker issue an agent filed it under through the MCP
-- tool link_feedback (Almirant's link_feedback_to_idea_item).  One link per
-- item: linking again replaces it.  The API shows it as "link": {url,
-- title}, null when both are NULL.
ALTER TABLE feedback
  ADD COLUMN IF NOT EXISTS link_url VARCHAR(2048) NULL,
  ADD COLUMN IF NOT EXISTS link_title VARCHAR(255) NULL;
