-- Background refresh (issue #11): when each linked driver GT Grid Stats answered "not found" (renamed or
-- removed upstream) was last asked for. The planner treats it like a fetch time, so such a driver is asked
-- for again only after the refresh interval, also after a restart. One row per driver, pruned after two
-- days (the planner never waits longer than a day between a driver's turns). Times as in 0003.
CREATE TABLE refresh_missing (
    psn_id       TEXT PRIMARY KEY COLLATE NOCASE,
    attempted_at TEXT NOT NULL
);
