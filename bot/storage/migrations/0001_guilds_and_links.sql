-- Per-guild settings and member links. Everything member-related is keyed by guild.
CREATE TABLE guild_settings (
    guild_id   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, key)
);

CREATE TABLE links (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    psn_id    TEXT    NOT NULL COLLATE NOCASE,
    guid      TEXT,
    linked_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, member_id),
    UNIQUE (guild_id, psn_id)
);

CREATE INDEX links_by_psn ON links (psn_id);
CREATE INDEX links_by_guid ON links (guid);
