-- League night: sign-ups (with rating gates and a waitlist), the race calendar, check-in and attendance.
-- Times are UTC, ISO 8601 to the second, so text order is time order.
CREATE TABLE league_signups (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    league_id     INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    channel_id    INTEGER NOT NULL,
    message_id    INTEGER,
    max_grid      INTEGER CHECK (max_grid IS NULL OR max_grid BETWEEN 1 AND 200),
    min_dr        TEXT,
    min_dr_points INTEGER CHECK (min_dr_points IS NULL OR min_dr_points >= 0),
    min_sr        TEXT,
    closes_at     TEXT,
    opened_by     INTEGER NOT NULL,
    opened_at     TEXT    NOT NULL,
    closed_at     TEXT
);

-- At most one open sign-up per league.
CREATE UNIQUE INDEX league_signups_one_open ON league_signups (league_id) WHERE closed_at IS NULL;
CREATE INDEX league_signups_closing ON league_signups (closes_at) WHERE closed_at IS NULL;

-- One row per driver who joined; the order of `id` is the order of joining: the first max_grid rows are
-- the grid, the rest the waitlist. The UNIQUE constraints make a double click count once.
CREATE TABLE signup_entries (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    signup_id INTEGER NOT NULL REFERENCES league_signups (id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL,
    psn_id    TEXT    NOT NULL COLLATE NOCASE,
    joined_at TEXT    NOT NULL,
    UNIQUE (signup_id, member_id),
    UNIQUE (signup_id, psn_id)
);

CREATE TABLE league_races (
    id                 INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL,
    league_id          INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    starts_at          TEXT    NOT NULL,
    duration_minutes   INTEGER NOT NULL CHECK (duration_minutes BETWEEN 10 AND 1440),
    track              TEXT,
    car                TEXT,
    notes              TEXT,
    checkin_hours      INTEGER NOT NULL DEFAULT 24 CHECK (checkin_hours BETWEEN 1 AND 168),
    event_id           INTEGER,
    checkin_channel_id INTEGER,
    checkin_message_id INTEGER,
    reminded_at        TEXT,
    checkin_closed_at  TEXT,
    created_by         INTEGER NOT NULL,
    created_at         TEXT    NOT NULL
);

CREATE INDEX league_races_by_start ON league_races (league_id, starts_at);

-- A roster driver's answer to a race's check-in: 'in' (checked in) or 'out' (can't make it).
CREATE TABLE race_attendance (
    guild_id    INTEGER NOT NULL,
    race_id     INTEGER NOT NULL REFERENCES league_races (id) ON DELETE CASCADE,
    psn_id      TEXT    NOT NULL COLLATE NOCASE,
    member_id   INTEGER NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('in', 'out')),
    answered_at TEXT    NOT NULL,
    PRIMARY KEY (race_id, psn_id)
);

-- Per server: when the organisers were told the bot may not create scheduled events (told once).
CREATE TABLE league_night_notes (
    guild_id          INTEGER PRIMARY KEY,
    events_refused_at TEXT
);
