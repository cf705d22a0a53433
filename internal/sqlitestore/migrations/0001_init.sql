-- whosaid embedded store, schema version 1. Times are Unix milliseconds
-- (UTC); optional text is NULL when absent where a unique index or a
-- filter needs it so, '' elsewhere.

CREATE TABLE articles (
	id           TEXT PRIMARY KEY,          -- 24 hex digits, derived from the URL (or the text)
	url          TEXT UNIQUE,               -- NULL without URL
	title        TEXT NOT NULL DEFAULT '',
	text         TEXT NOT NULL,
	text_hash    TEXT NOT NULL,             -- SHA-256 of text: dedupe of posts without URL
	published_at INTEGER,                   -- NULL when unknown
	outlet       TEXT NOT NULL DEFAULT '',
	language     TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	quote_count  INTEGER NOT NULL DEFAULT 0,
	revision     INTEGER NOT NULL DEFAULT 1, -- grows with each new text at the URL
	updated_at   INTEGER NOT NULL DEFAULT 0, -- when the text last changed (created_at before a revision)
	next_quote   INTEGER NOT NULL DEFAULT 0  -- the number of the next new quote's id (<id>-<n>), never reused
);
CREATE INDEX articles_text_hash ON articles (text_hash);

CREATE TABLE speakers (
	id              TEXT PRIMARY KEY,       -- spk_ + 16 hex, from the first name
	name            TEXT NOT NULL,
	normalized_name TEXT NOT NULL UNIQUE,
	type            TEXT NOT NULL,
	aliases         TEXT NOT NULL DEFAULT '[]', -- JSON array, in the order given
	roles           TEXT NOT NULL DEFAULT '[]', -- JSON array, sorted
	wikidata_id     TEXT UNIQUE,            -- NULL when unknown
	version         INTEGER NOT NULL DEFAULT 1,
	updated_at      INTEGER NOT NULL
);

-- Every folded name (is_alias 0) and alias (1) of a speaker: resolution
-- of a name or alias to a speaker.
CREATE TABLE speaker_keys (
	key        TEXT NOT NULL,
	speaker_id TEXT NOT NULL REFERENCES speakers (id) ON DELETE CASCADE,
	is_alias   INTEGER NOT NULL,
	PRIMARY KEY (key, speaker_id)
) WITHOUT ROWID;
CREATE INDEX speaker_keys_speaker ON speaker_keys (speaker_id);

-- Folded names, aliases and each of their words: prefix search.
CREATE TABLE speaker_search (
	key        TEXT NOT NULL,
	speaker_id TEXT NOT NULL REFERENCES speakers (id) ON DELETE CASCADE,
	PRIMARY KEY (key, speaker_id)
) WITHOUT ROWID;
CREATE INDEX speaker_search_speaker ON speaker_search (speaker_id);

-- Speaker figures kept with every change of a quote: visible quotes by
-- kind and outlet ('' for none).
CREATE TABLE speaker_figures (
	speaker_id TEXT NOT NULL REFERENCES speakers (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	outlet     TEXT NOT NULL,
	n          INTEGER NOT NULL,
	PRIMARY KEY (speaker_id, kind, outlet)
) WITHOUT ROWID;

CREATE TABLE statements (
	id           TEXT PRIMARY KEY,          -- stm_ + 16 hex
	text         TEXT NOT NULL,             -- the longest reported form
	words        TEXT NOT NULL,             -- its statement words, space-separated
	speaker_id   TEXT NOT NULL DEFAULT '',
	speaker_name TEXT NOT NULL DEFAULT '',
	n_shingles   INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE statement_shingles (
	shingle      INTEGER NOT NULL,
	statement_id TEXT NOT NULL REFERENCES statements (id) ON DELETE CASCADE,
	PRIMARY KEY (shingle, statement_id)
) WITHOUT ROWID;
CREATE INDEX statement_shingles_statement ON statement_shingles (statement_id);
-- How many statements have each shingle: candidates are read from the
-- rarest shingles of a text, so a common phrase costs nothing.
CREATE TABLE shingle_df (
	shingle INTEGER PRIMARY KEY,
	n       INTEGER NOT NULL
);

CREATE TABLE quotes (
	id            TEXT PRIMARY KEY,         -- article id - number (its position in the first revision)
	article_id    TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	n             INTEGER NOT NULL,         -- position in the article's current text
	text          TEXT NOT NULL,
	span_start    INTEGER NOT NULL,
	span_end      INTEGER NOT NULL,
	kind          TEXT NOT NULL,
	cue           TEXT,                     -- JSON {text, span} or NULL
	speaker       TEXT,                     -- JSON QuoteSpeaker or NULL
	speaker_id    TEXT,                     -- NULL when not a stored speaker
	confidence    REAL NOT NULL,
	rule          TEXT NOT NULL,
	published_at  INTEGER NOT NULL,
	outlet        TEXT NOT NULL DEFAULT '',
	outlet_key    TEXT NOT NULL DEFAULT '', -- the outlet folded (case, diacritics): what outlet= matches
	url           TEXT NOT NULL DEFAULT '',
	statement_id  TEXT,
	occurrence_speaker TEXT NOT NULL DEFAULT '', -- the name its statement occurrence shows
	hidden        INTEGER NOT NULL DEFAULT 0,
	version       INTEGER NOT NULL DEFAULT 1,
	corrections   TEXT,                     -- JSON array, NULL before the first
	context_start INTEGER NOT NULL,         -- the sentence around the quote
	context_end   INTEGER NOT NULL,
	UNIQUE (article_id, n)
);
CREATE INDEX quotes_feed      ON quotes (published_at DESC, id DESC) WHERE hidden = 0;
CREATE INDEX quotes_speaker   ON quotes (speaker_id, published_at DESC, id DESC) WHERE hidden = 0;
CREATE INDEX quotes_kind      ON quotes (kind, published_at DESC, id DESC) WHERE hidden = 0;
CREATE INDEX quotes_outlet    ON quotes (outlet_key, published_at DESC, id DESC) WHERE hidden = 0;
CREATE INDEX quotes_statement ON quotes (statement_id) WHERE statement_id IS NOT NULL;
-- A speaker's hidden quotes (few); with quotes_speaker, all of its quotes
-- (speakerQuotes), for renames and merges.
CREATE INDEX quotes_hidden    ON quotes (speaker_id) WHERE hidden = 1;

-- Folded words of each quote (rowid = quotes.rowid): word search.
CREATE VIRTUAL TABLE quote_words USING fts5 (words, detail = none, tokenize = 'ascii');

CREATE TABLE idempotency_keys (
	key        TEXT PRIMARY KEY,
	article_id TEXT NOT NULL,
	text_hash  TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
	hash       TEXT PRIMARY KEY,            -- SHA-256 of the secret
	id         TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	scope      TEXT NOT NULL,
	prefix     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE subscriptions (
	id          TEXT PRIMARY KEY,
	url         TEXT NOT NULL,
	secret      TEXT NOT NULL,
	speaker_ids TEXT NOT NULL DEFAULT '[]',
	q           TEXT NOT NULL DEFAULT '',
	key_id      TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);

CREATE TABLE deliveries (
	id              TEXT PRIMARY KEY,
	subscription_id TEXT NOT NULL,
	event           TEXT NOT NULL,
	quote_id        TEXT NOT NULL,
	status          TEXT NOT NULL,
	attempts        TEXT NOT NULL DEFAULT '[]',
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL,
	-- The outbox: the body POSTed on every attempt, and for a pending
	-- delivery when it is due and the lease of the dispatcher trying it.
	-- An imported log entry has no payload and is never tried.
	payload         TEXT,
	attempt_count   INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER,
	claimed_until   INTEGER NOT NULL DEFAULT 0,
	claim_token     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, created_at DESC, id DESC);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending' AND payload IS NOT NULL;
