-- A league posts at most once per due time: a scheduled post first claims its due time here, and the
-- primary key refuses a second claim (another run, another process, a stale retry) before anything is sent.
-- `due_at` is the leagues.next_post_at the post was made for (UTC text as in 0004). A retry after a failure
-- runs at a new next_post_at, so it claims a new row; old claims are pruned as new ones are taken.
CREATE TABLE league_posts (
    guild_id   INTEGER NOT NULL,
    league_id  INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    due_at     TEXT    NOT NULL,
    claimed_at TEXT    NOT NULL,
    PRIMARY KEY (league_id, due_at)
);

-- Heal what the race of issue #9 left behind: a next post time stored for a league without a schedule.
UPDATE leagues SET next_post_at = NULL, failed_attempts = 0 WHERE schedule_weekday IS NULL;
