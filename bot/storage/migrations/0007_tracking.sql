-- Driver news (issue #11): per-guild tracking settings, member opt-outs, what tracking last saw of each
-- driver, the announcements made (a UNIQUE key so a change is never announced twice, across restarts),
-- and the background refresh ledger (the planner's share of the day, so the plan survives restarts).
-- Times are UTC ISO 8601 text with microseconds, as in 0003.
CREATE TABLE tracking_settings (
    guild_id        INTEGER PRIMARY KEY,
    channel_id      INTEGER,             -- NULL: tracking off
    pings           INTEGER NOT NULL DEFAULT 0,
    paused_reason   TEXT,                -- set when Discord refused a post for good; cleared by a new channel
    paused_at       TEXT,
    pause_reported  INTEGER NOT NULL DEFAULT 0,
    digest_weekday  INTEGER,             -- 0 = Monday; NULL: no digest
    digest_time     TEXT,                -- "HH:MM" local time
    digest_timezone TEXT,
    digest_next_at  TEXT,                -- UTC; the next digest due
    updated_at      TEXT    NOT NULL
);

CREATE TABLE tracking_optouts (
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);

-- The ratings tracking last compared against, one row per driver (a PSN ID is public: no guild column).
CREATE TABLE tracking_seen (
    psn_id    TEXT    PRIMARY KEY COLLATE NOCASE,
    dr        TEXT,
    sr        TEXT,
    dr_points INTEGER,
    seen_at   TEXT    NOT NULL
);

-- One row per announced class change per guild; `observed_at` is the fetch time of the snapshot that
-- showed the change, so the same change can never be claimed twice.
CREATE TABLE tracking_announcements (
    guild_id     INTEGER NOT NULL,
    psn_id       TEXT    NOT NULL COLLATE NOCASE,
    rating       TEXT    NOT NULL,
    before_class TEXT    NOT NULL,
    after_class  TEXT    NOT NULL,
    points_after INTEGER,
    member_id    INTEGER NOT NULL,
    observed_at  TEXT    NOT NULL,
    UNIQUE (guild_id, psn_id, rating, observed_at)
);

CREATE INDEX tracking_announcements_by_time ON tracking_announcements (guild_id, observed_at);
CREATE INDEX tracking_announcements_by_driver ON tracking_announcements (psn_id, observed_at);

CREATE TABLE refresh_ledger (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    period_resets_at TEXT,
    allowance_left   INTEGER,
    last_call_at     TEXT
);
