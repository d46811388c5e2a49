-- Rank roles: a guild's mapping of DR (and SR) classes to Discord roles, and whether updates are paused.
-- A guild without a row has rank roles off. `paused_reason` is set when Discord refused a mapped role
-- (deleted: 10011 Unknown Role; forbidden: 50013) or a check before a change failed; updates stop until an organiser runs a setup or sync.
CREATE TABLE role_mappings (
    guild_id         INTEGER PRIMARY KEY,
    sr_enabled       INTEGER NOT NULL DEFAULT 0 CHECK (sr_enabled IN (0, 1)),
    -- bot/services/roles.py Problem: deleted, forbidden, no_manage_roles, above_bot, everyone, managed, ...
    paused_reason    TEXT,
    paused_role_id   INTEGER,
    paused_ladder    TEXT,
    paused_class     TEXT,
    updated_at       TEXT    NOT NULL
);

CREATE TABLE role_classes (
    guild_id       INTEGER NOT NULL REFERENCES role_mappings (guild_id) ON DELETE CASCADE,
    ladder         TEXT    NOT NULL CHECK (ladder IN ('dr', 'sr')),
    class          TEXT    NOT NULL,
    role_id        INTEGER NOT NULL,
    created_by_bot INTEGER NOT NULL DEFAULT 0 CHECK (created_by_bot IN (0, 1)),
    PRIMARY KEY (guild_id, ladder, class)
);
