-- League night: penalties and bonuses, teams, and the season's length (for who can still win).

-- A points change to a driver's total (negative: a penalty, positive: a bonus), optionally for one round.
CREATE TABLE league_penalties (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    league_id INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    psn_id    TEXT    NOT NULL COLLATE NOCASE,
    points    INTEGER NOT NULL CHECK (points BETWEEN -1000 AND 1000 AND points <> 0),
    round_no  INTEGER CHECK (round_no IS NULL OR round_no BETWEEN 1 AND 100),
    reason    TEXT    NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
    given_by  INTEGER NOT NULL,
    given_at  TEXT    NOT NULL
);

CREATE INDEX league_penalties_by_league ON league_penalties (league_id, psn_id);

CREATE TABLE league_teams (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    league_id  INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 50),
    created_at TEXT    NOT NULL,
    UNIQUE (league_id, name)
);

-- A driver is in at most one team per league: the primary key says so.
CREATE TABLE league_team_drivers (
    guild_id  INTEGER NOT NULL,
    league_id INTEGER NOT NULL REFERENCES leagues (id) ON DELETE CASCADE,
    team_id   INTEGER NOT NULL REFERENCES league_teams (id) ON DELETE CASCADE,
    psn_id    TEXT    NOT NULL COLLATE NOCASE,
    PRIMARY KEY (league_id, psn_id)
);

CREATE INDEX league_team_drivers_by_team ON league_team_drivers (team_id);

-- The season's number of rounds and the most points a round gives (NULL: the most seen in the data);
-- how many drivers of a team score each round (NULL: all).
CREATE TABLE league_seasons (
    guild_id             INTEGER NOT NULL,
    league_id            INTEGER PRIMARY KEY REFERENCES leagues (id) ON DELETE CASCADE,
    total_rounds         INTEGER CHECK (total_rounds IS NULL OR total_rounds BETWEEN 1 AND 100),
    max_points_per_round INTEGER CHECK (max_points_per_round IS NULL OR max_points_per_round BETWEEN 1 AND 1000),
    team_best_n          INTEGER CHECK (team_best_n IS NULL OR team_best_n BETWEEN 1 AND 16)
);
