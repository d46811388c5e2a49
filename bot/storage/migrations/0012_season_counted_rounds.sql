-- How many rounds count at the end of a league's season (best N of total_rounds; NULL: not said, then
-- who can still win holds for every drop count the standings allow).
ALTER TABLE league_seasons ADD COLUMN counted_rounds INTEGER
    CHECK (counted_rounds IS NULL OR counted_rounds BETWEEN 1 AND 100);

-- How many times a race's check-in post failed: the loop retries it (message id back to NULL) up to a
-- bound, then leaves it (message id 0) with a notice for the organisers.
ALTER TABLE league_races ADD COLUMN checkin_post_tries INTEGER NOT NULL DEFAULT 0;
