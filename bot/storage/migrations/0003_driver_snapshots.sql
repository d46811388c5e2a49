-- What GT Grid Stats said about a driver, kept both as the lookup cache and as history.
-- A driver belongs to no guild (a PSN ID is public), so there is no guild_id column: snapshots of a driver
-- that no guild links any more are deleted by the drivers service instead (after /unlink and on guild purge).
--
-- One row per distinct answer: when a fetch returns exactly what the latest row holds, that row's
-- fetched_at (and last_sync) move forward instead of a duplicate being added, so first_fetched_at ..
-- fetched_at is the span during which the driver's numbers were seen unchanged.
-- Times are UTC ISO 8601 with microseconds ("2026-11-28T12:00:00.000000+00:00"), fixed width, so they
-- compare correctly as text.
CREATE TABLE driver_snapshots (
    id                  INTEGER PRIMARY KEY,
    psn_id              TEXT    NOT NULL COLLATE NOCASE,
    guid                TEXT,
    first_fetched_at    TEXT    NOT NULL,
    fetched_at          TEXT    NOT NULL,
    last_sync           TEXT,
    nickname            TEXT,
    country_code        TEXT,
    dr                  TEXT,
    sr                  TEXT,
    dr_points           INTEGER NOT NULL,
    dr_ratio            REAL,
    total_races         INTEGER NOT NULL DEFAULT 0,
    victories           INTEGER NOT NULL DEFAULT 0,
    poles               INTEGER NOT NULL DEFAULT 0,
    fastest_laps        INTEGER NOT NULL DEFAULT 0,
    clean_races         INTEGER NOT NULL DEFAULT 0,
    collector_level     INTEGER,
    license             TEXT,
    garage_count        INTEGER,
    collection_progress TEXT,
    total_credits       INTEGER,
    play_time_readable  TEXT,
    distance_km         TEXT
);

CREATE INDEX driver_snapshots_by_psn ON driver_snapshots (psn_id, fetched_at);
CREATE INDEX driver_snapshots_by_guid ON driver_snapshots (guid, fetched_at);
