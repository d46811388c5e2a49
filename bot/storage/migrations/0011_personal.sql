-- A member's personal PSN ID: theirs alone, used where no server link applies (the bot's DMs, group DMs,
-- servers where the bot is only user-installed). Deliberately no guild_id column: no server reads it,
-- and leaving a server (purge_guild) does not touch it. Deleted by /me psn clear or /me delete.
CREATE TABLE personal_psn (
    user_id INTEGER PRIMARY KEY,
    psn_id  TEXT    NOT NULL COLLATE NOCASE,
    set_at  TEXT    NOT NULL
);

CREATE INDEX personal_psn_by_psn ON personal_psn (psn_id);
