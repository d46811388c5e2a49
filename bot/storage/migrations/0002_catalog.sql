-- The local car catalog: a copy of GT Grid Stats' cars, manufacturers and regions, so lookups cost no call.
-- `generation` is the fill that last saw a row; a completed fill deletes rows older fills left behind.
CREATE TABLE manufacturers (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    logo       TEXT,
    generation INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE cars (
    id                INTEGER PRIMARY KEY,
    car_code          INTEGER NOT NULL,
    gt7_code          TEXT    NOT NULL COLLATE NOCASE,
    name              TEXT    NOT NULL,
    class             TEXT    NOT NULL,
    image             TEXT,
    manufacturer_id   INTEGER NOT NULL,
    manufacturer_name TEXT    NOT NULL,
    generation        INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX cars_by_manufacturer ON cars (manufacturer_id, class);
CREATE INDEX cars_by_car_code ON cars (car_code);
CREATE INDEX cars_by_gt7_code ON cars (gt7_code);

CREATE TABLE regions (
    id        INTEGER PRIMARY KEY,
    code      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name      TEXT    NOT NULL,
    is_active INTEGER NOT NULL
);

-- Names in a region's language, stored as they are fetched (one row per locale and car / manufacturer).
CREATE TABLE car_names (
    locale            TEXT    NOT NULL,
    car_id            INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    manufacturer_name TEXT    NOT NULL,
    fetched_at        TEXT    NOT NULL,
    PRIMARY KEY (locale, car_id)
);

CREATE TABLE manufacturer_names (
    locale          TEXT    NOT NULL,
    manufacturer_id INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    fetched_at      TEXT    NOT NULL,
    PRIMARY KEY (locale, manufacturer_id)
);

-- One row: where the current (or last) fill stands, so a restart resumes at `next_page`.
CREATE TABLE catalog_fill (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    generation               INTEGER NOT NULL DEFAULT 0,
    next_page                INTEGER,          -- NULL when no fill is in progress
    started_at               TEXT,
    completed_at             TEXT,             -- the last fill that reached the last page
    regions_fetched_at       TEXT,
    manufacturers_fetched_at TEXT,
    total_cars               INTEGER
);

INSERT INTO catalog_fill (id) VALUES (1);
