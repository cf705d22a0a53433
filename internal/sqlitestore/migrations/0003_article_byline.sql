-- The authors of an article, as the request or its HTML page gave them.
ALTER TABLE articles ADD COLUMN byline TEXT NOT NULL DEFAULT '';
