-- Leagues: a guild's named roster of drivers in one GT Grid Stats series, with an optional weekly post.
-- Times are UTC, ISO 8601 to the second ("2026-11-30T19:00:00+00:00"), so text order is time order.
CREATE TABLE leagues (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    name             TEXT    NOT NULL COLLATE NOCASE,
    series_id        INTEGER NOT NULL CHECK (series_id > 0),
    channel_id       INTEGER NOT NULL,
    created_by       INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    -- The weekly post: local weekday (0 = Monday), local time "HH:MM" and IANA time zone, or all NULL.
    schedule_weekday INTEGER CHECK (schedule_weekday BETWEEN 0 AND 6),
    schedule_time    TEXT,
    schedule_tz      TEXT,
    -- The next scheduled post; NULL when there is no schedule or it is paused.
    next_post_at     TEXT,
    last_posted_at   TEXT,
    -- Failed tries of the current scheduled post (GT Grid Stats or Discord briefly unavailable).
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    -- Why the schedule stopped by itself (e.g. the channel refused the post); NULL while it runs.
    paused_reason    TEXT,
    UNIQUE (guild_id, name),
    CHECK ((schedule_weekday IS NULL) = (schedule_time IS NULL) AND (schedule_time IS NULL) = (schedule_tz IS NULL))
);

CREATE INDEX leagues_by_next_post ON leagues (next_post_at) WHERE next_post_at IS NOT NULL;

CREATE TABLE league_drivers (
    guild_id  INTEGER NOT NULL,
    league_id INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    psn_id    TEXT    NOT NULL COLLATE NOCASE,
    added_at  TEXT    NOT NULL,
    PRIMARY KEY (league_id, psn_id)
);

-- Positions at the league's last post to its channel, so the next post can show ▲▼.
CREATE TABLE league_positions (
    guild_id  INTEGER NOT NULL,
    league_id INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    psn_id    TEXT    NOT NULL COLLATE NOCASE,
    position  INTEGER NOT NULL,
    posted_at TEXT    NOT NULL,
    PRIMARY KEY (league_id, psn_id)
);

-- Things the scheduler has to tell the organisers (shown once, at the next /league command).
CREATE TABLE league_notices (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    league_id   INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    message     TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    reported_at TEXT
);

CREATE INDEX league_notices_pending ON league_notices (guild_id) WHERE reported_at IS NULL;
