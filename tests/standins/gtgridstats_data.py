"""Deterministic fake dataset behind the GT Grid Stats stand-in.

Everything here is built from fixed tables, a seeded ``random.Random`` and pure formulas: no network, no
clock, the same arguments always give the same dataset.  ``default_dataset()`` holds the exact records shown
in the API reference (the Ferrari cars 613 and 620, the drivers skino2024 / SparksTheory / OFFICIAL_001, the
skino2024 row of Nations Cup series 1564) surrounded by generated but plausible data:

* ~50 real GT7 manufacturers; Ferrari (id 78) always owns exactly the 14 hand-written cars (2 of them Gr.3),
  matching the counts in the reference.  Other makes get generated "<Make> <Model> '<yy>" cars.
* Cars are sorted by id; ids start at 613 so the first car of page 1 is the reference one.  Big catalogs
  (``cars=50_000``) stay unique by inserting a number before the year ("... 17 '09").
* Generated drivers are ``driver001``, ``driver002``, ...; every third one (``i % 3 == 0``) is un-indexed.
  DR comes from ``dr_points`` (E < 2000 <= D < 4000 <= C < 10000 <= B < 30000 <= A < 50000 <= A+), and
  ``dr_ratio`` is the progress inside that band, which reproduces the reference numbers exactly.
* Translations: a hand-written table for a few makes in cn/jp/kr/de/fr; other makes and locales keep the
  default name.
"""

from __future__ import annotations

import random
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

IMAGE_URL = "https://www.gran-turismo.com/common/dist/gt7/carlist/car_images/car{code}.webp"
LOGO_URL = "https://gtgridstats.com/storage/logos/{slug}.png"

RACE_CLASSES: tuple[str, ...] = ("Gr.1", "Gr.2", "Gr.3", "Gr.4", "Gr.B", "Gr.X")
ROAD_CLASSES: tuple[str, ...] = ("Gr.N", "N100", "N300", "N500", "N1000")
CAR_CLASSES: tuple[str, ...] = RACE_CLASSES + ROAD_CLASSES

# (lower bound, upper bound) of dr_points per Driver Rating; dr_ratio = progress inside the band.
DR_BANDS: tuple[tuple[str, int, int], ...] = (
    ("E", 0, 2000),
    ("D", 2000, 4000),
    ("C", 4000, 10000),
    ("B", 10000, 30000),
    ("A", 30000, 50000),
    ("A+", 50000, 150000),
)
SAFETY_RATINGS: tuple[str, ...] = ("E", "D", "C", "B", "A", "S")
LICENSES: tuple[str, ...] = ("N/A", "B", "A", "IB", "IA", "S", "Master")
COUNTRY_CODES: tuple[str, ...] = (
    "GB", "US", "JP", "DE", "FR", "IT", "ES", "BR", "NL", "PT",
    "AU", "CA", "MX", "KR", "CN", "TW", "BE", "SE", "PL", "AR",
)  # fmt: skip
NICKNAMES: tuple[str, ...] = (
    "Apex", "Slipstream", "Late Braker", "Kerb Hopper", "Drift King", "Tyre Whisperer", "Pit Lane",
    "Blue Flag", "Chicane", "Hairpin", "Full Lock", "Oversteer", "Understeer", "Backmarker", "Rookie",
)  # fmt: skip

PSN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{2,15}$")


@dataclass
class Manufacturer:
    id: int
    name: str
    logo: str


@dataclass
class Car:
    id: int
    car_code: int
    gt7_code: str
    name: str
    car_class: str
    image: str
    manufacturer_id: int


@dataclass
class Region:
    id: int
    code: str
    name: str
    is_active: bool


@dataclass
class Driver:
    psn_id: str
    nickname: str
    guid: str
    dr: str
    sr: str
    last_sync: str
    country_code: str
    stats: dict[str, Any]
    indexed: bool = True
    stale: bool = False  # indexed but out of date: POST /api/racers staggers and re-syncs it


@dataclass
class SeriesRound:
    no: int
    points: int
    is_counted: bool


@dataclass
class SeriesEntry:
    psn: str
    season_rank: int
    rounds: list[SeriesRound]

    @property
    def total_points(self) -> int:
        return sum(r.points for r in self.rounds if r.is_counted)


@dataclass
class Series:
    id: int
    type: str
    results: dict[str, SeriesEntry] = field(default_factory=dict)  # key = lower-cased PSN


RoundSpec = tuple[int, int, bool]  # (no, points, is_counted)


@dataclass
class Dataset:
    manufacturers: list[Manufacturer]
    cars: list[Car]
    regions: list[Region]
    drivers: dict[str, Driver]  # key = lower-cased PSN
    series: dict[int, Series]
    translations: dict[str, dict[str, str]]  # locale -> {default manufacturer name -> localized}

    # --- lookups -----------------------------------------------------------------------------------------
    def manufacturer(self, manufacturer_id: int) -> Manufacturer | None:
        return next((m for m in self.manufacturers if m.id == manufacturer_id), None)

    def cars_of(self, manufacturer_id: int) -> list[Car]:
        return [c for c in self.cars if c.manufacturer_id == manufacturer_id]

    def find_car(self, identifier: str) -> Car | None:
        """Internal id first, then car_code (both digits), then gt7_code ("car1544", case-insensitive)."""
        if identifier.isdecimal():
            number = int(identifier)
            by_id = next((c for c in self.cars if c.id == number), None)
            return by_id or next((c for c in self.cars if c.car_code == number), None)
        wanted = identifier.lower()
        return next((c for c in self.cars if c.gt7_code.lower() == wanted), None)

    def active_region(self, code: str) -> Region | None:
        wanted = code.lower()
        return next((r for r in self.regions if r.code == wanted and r.is_active), None)

    def driver(self, psn: str) -> Driver | None:
        return self.drivers.get(psn.lower())

    def localized_make(self, name: str, locale: str | None) -> str:
        if locale is None:
            return name
        return self.translations.get(locale.lower(), {}).get(name, name)

    def localized_car_name(self, car: Car, locale: str | None) -> str:
        make = self.manufacturer(car.manufacturer_id)
        if locale is None or make is None or not car.name.startswith(make.name + " "):
            return car.name
        return self.localized_make(make.name, locale) + car.name[len(make.name) :]

    # --- helpers for tests ---------------------------------------------------------------------------------
    def add_driver(
        self,
        psn: str,
        *,
        indexed: bool = True,
        stale: bool = False,
        dr_points: int = 12000,
        sr: str = "S",
        country_code: str = "GB",
        nickname: str | None = None,
        guid: str | None = None,
        last_sync: str = "2026-05-20 12:00:00",
        stats: Mapping[str, Any] | None = None,
    ) -> Driver:
        """Create (or replace) a driver; ``stats`` overrides individual stat keys."""
        dr, dr_ratio = dr_for_points(dr_points)
        full_stats: dict[str, Any] = {
            "dr_points": dr_points,
            "dr_ratio": dr_ratio,
            "total_races": 100,
            "victories": 10,
            "poles": 5,
            "fastest_laps": 5,
            "clean_races": 40,
            "collector_level": 30,
            "license": "S",
            "garage_count": 150,
            "collection_progress": "40%",
            "total_credits": 25_000_000,
            "play_time_readable": "300h 0m",
            "distance_km": "25,000.0",
        }
        full_stats.update(stats or {})
        driver = Driver(
            psn_id=psn,
            nickname=nickname if nickname is not None else psn,
            guid=guid or str(uuid.uuid5(uuid.NAMESPACE_URL, f"gtgridstats-standin:{psn.lower()}")),
            dr=dr,
            sr=sr,
            last_sync=last_sync,
            country_code=country_code,
            stats=full_stats,
            indexed=indexed,
            stale=stale,
        )
        self.drivers[psn.lower()] = driver
        return driver

    def add_series(
        self,
        series_id: int,
        type: str,
        results: Mapping[str, tuple[int, Sequence[RoundSpec]]],
    ) -> Series:
        """Create (or replace) a series; ``results`` maps PSN -> (season_rank, [(no, points, is_counted)])."""
        series = Series(id=series_id, type=type)
        for psn, (season_rank, rounds) in results.items():
            series.results[psn.lower()] = SeriesEntry(
                psn=psn,
                season_rank=season_rank,
                rounds=[SeriesRound(no, pts, counted) for no, pts, counted in rounds],
            )
        self.series[series_id] = series
        return series


# ------------------------------------------------------------------------------------------------------------
# fixed tables
# ------------------------------------------------------------------------------------------------------------

# (id, name, model pool).  Ids are made up except Ferrari 78 and Suzuki 144 (from the reference).
MANUFACTURER_TABLE: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (3, "Abarth", ("595 esseesse", "1500 Biposto Bertone B.A.T 1", "124 Spider")),
    (6, "Alfa Romeo", ("Giulia TZ2", "4C", "8C Competizione", "Giulia GTAm", "155 2.5 V6 TI")),
    (9, "Alpine", ("A110", "A110 S", "A220 Race Car")),
    (11, "Amuse", ("S2000 GT1 Turbo", "NISMO 380RS Super Leggera")),
    (14, "Aston Martin", ("DB3S", "DB5", "DB11", "Vantage", "DBR9 GT1", "One-77", "Valkyrie")),
    (17, "Audi", ("R8 LMS", "R18", "TT Cup", "Sport quattro S1 Pikes Peak", "RS 5 Turbo DTM", "e-tron GT")),
    (21, "Autobianchi", ("A112 Abarth",)),
    (24, "BAC", ("Mono",)),
    (27, "BMW", ("M3", "M4", "M6 GT3 Endurance", "Z4 GT3", "M3 Sport Evolution", "i3", "3.0 CSL")),
    (31, "Bugatti", ("Veyron 16.4", "Chiron", "Bolide", "Divo")),
    (34, "Chevrolet", ("Corvette C7", "Corvette Stingray", "Camaro SS", "Chevelle SS 454", "Nova SS")),
    (38, "Citroën", ("DS 21 Pallas", "GT by Citroën", "2CV Type A", "C4 WRC")),
    (41, "Daihatsu", ("Copen", "Midget II")),
    (44, "De Tomaso", ("Pantera", "Mangusta")),
    (47, "Dodge", ("Challenger R/T", "Charger Super Bee 426 Hemi", "SRT Tomahawk", "Viper GTS", "Super Bee")),
    (51, "Fiat", ("500 F", "Panda 100HP")),
    (
        54,
        "Ford",
        ("GT40 Mark I", "Mustang Mach 1", "Focus RS", "Sierra RS 500 Cosworth", "F-150 SVT Lightning"),
    ),
    (58, "Genesis", ("G70 3.3T AWD", "G90")),
    (61, "Honda", ("NSX", "S2000", "Civic Type R", "Integra Type R", "S800", "Beat", "Fit Hybrid")),
    (65, "Hyundai", ("Genesis Coupe", "i30 N", "Elantra N TCR")),
    (68, "Infiniti", ("G37 Coupe", "Q50 Sport")),
    (71, "Jaguar", ("E-Type Coupe", "XJ13", "F-Type R", "XJR-9")),
    (74, "Jeep", ("Willys MB", "Wrangler Rubicon")),
    (78, "Ferrari", ()),  # hand-written below
    (81, "KTM", ("X-BOW R",)),
    (
        84,
        "Lamborghini",
        ("Countach LP400", "Miura P400 Bertone", "Huracán GT3", "Aventador LP 700-4", "Diablo GT"),
    ),
    (88, "Lancia", ("Delta HF Integrale", "Stratos", "037 Rally")),
    (91, "Lexus", ("LC500", "RC F", "LFA", "SC430 GT500", "IS F")),
    (94, "Maserati", ("A6GCS/53 Spyder", "GranTurismo S", "MC20", "Merak SS")),
    (97, "Mazda", ("RX-7 Spirit R", "RX-8", "Roadster S", "787B", "Atenza", "Mazda3")),
    (101, "McLaren", ("F1", "P1 GTR", "650S GT3", "720S", "MP4-12C", "Senna")),
    (
        104,
        "Mercedes-Benz",
        ("300 SL Coupe", "AMG GT Black Series", "SLS AMG GT3", "190 E 2.5-16 Evo II", "W 196 R"),
    ),
    (108, "Mini", ("Cooper S", "Clubman")),
    (
        111,
        "Mitsubishi",
        ("Lancer Evolution X", "Lancer Evolution IV", "GTO Twin Turbo", "Concept XR-PHEV Evolution"),
    ),
    (
        114,
        "Nissan",
        ("GT-R NISMO", "Skyline GT-R V-spec II", "Silvia K's", "Fairlady Z 432", "370Z", "R92CP"),
    ),
    (118, "Pagani", ("Zonda R", "Huayra", "Huayra R")),
    (121, "Peugeot", ("205 Turbo 16", "RCZ", "908 HDi FAP", "208 GTi")),
    (124, "Plymouth", ("Superbird", "XNR Ghia Roadster")),
    (127, "Pontiac", ("Firebird Trans Am",)),
    (131, "Porsche", ("911 GT3 RS", "911 Carrera RS", "919 Hybrid", "Cayman GT4", "Taycan Turbo S", "962 C")),
    (134, "RUF", ("CTR3", "BTR", "CTR Yellow Bird")),
    (137, "Renault Sport", ("Clio R.S. 220 EDC Trophy", "Mégane R.S. Trophy", "R.S.01 GT3")),
    (
        141,
        "Subaru",
        ("Impreza WRX STI", "BRZ S", "WRX STI Type S", "Impreza 22B-STi Version", "Legacy B4 2.0GT"),
    ),
    (144, "Suzuki", ("Swift Sport", "Cappuccino", "Escudo Pikes Peak", "V6 Cultus")),
    (147, "Shelby", ("Cobra 427", "GT350")),
    (151, "Škoda", ("Octavia RS", "Fabia R5", "130 RS")),
    (154, "Tesla", ("Model 3 Performance",)),
    (
        157,
        "Toyota",
        ("GR Supra RZ", "GR86 RZ", "2000GT", "Sprinter Trueno GT Apex", "TS050 Hybrid", "GR Yaris RZ"),
    ),
    (161, "Volkswagen", ("Golf GTI", "Beetle 1200", "Scirocco R", "Sambabus Typ 2", "Golf R")),
    (164, "Volvo", ("240 DL Estate",)),
)

# Ferrari's 14 cars, fixed: (model, class, year, car_code).  The first two land on ids 613 and 620.
FERRARI_CARS: tuple[tuple[str, str, int, int], ...] = (
    ("430 Scuderia", "Gr.N", 2007, 1544),
    ("458 Italia GT3", "Gr.3", 2013, 1610),
    ("250 GTO", "Gr.N", 1962, 1007),
    ("330 P4", "Gr.X", 1967, 1109),
    ("365 GTB4", "N300", 1971, 1139),
    ("308 GTB", "N300", 1975, 1141),
    ("F40", "N500", 1992, 1201),
    ("F50", "N500", 1995, 1233),
    ("Enzo Ferrari", "N1000", 2002, 1387),
    ("LaFerrari", "N1000", 2013, 1622),
    ("458 Italia", "Gr.N", 2009, 1588),
    ("296 GT3", "Gr.3", 2023, 3301),
    ("F8 Tributo", "N1000", 2019, 2846),
    ("Vision Gran Turismo", "Gr.X", 2022, 3190),
)
FERRARI_ID = 78

REGION_TABLE: tuple[tuple[int, str, str, bool], ...] = (
    (1, "br", "Brazil", True),
    (3, "de", "Germany", True),
    (4, "es", "Spain", True),
    (5, "cn", "China", True),
    (7, "fr", "France", True),
    (9, "it", "Italy", True),
    (10, "gb", "United Kingdom", True),
    (12, "jp", "Japan", True),
    (14, "kr", "South Korea", True),
    (17, "nl", "Netherlands", True),
    (19, "pt", "Portugal", True),
    (22, "ru", "Russia", True),
    (25, "tw", "Taiwan", True),
    (30, "us", "United States", True),
    (33, "mx", "Mexico", False),
    (40, "xx", "Test Region", False),
)

TRANSLATIONS: dict[str, dict[str, str]] = {
    "cn": {"Ferrari": "法拉利", "Toyota": "丰田", "Nissan": "日产", "Honda": "本田", "Mazda": "马自达",
           "Porsche": "保时捷", "Suzuki": "铃木"},
    "jp": {"Ferrari": "フェラーリ", "Toyota": "トヨタ", "Nissan": "日産", "Honda": "ホンダ",
           "Mazda": "マツダ", "Porsche": "ポルシェ", "Suzuki": "スズキ"},
    "kr": {"Ferrari": "페라리", "Toyota": "토요타", "Nissan": "닛산", "Honda": "혼다", "Mazda": "마쓰다",
           "Porsche": "포르쉐", "Suzuki": "스즈키"},
    "de": {"Toyota": "TOYOTA", "Nissan": "NISSAN", "Honda": "HONDA", "Mazda": "MAZDA", "Suzuki": "SUZUKI",
           "Citroën": "CITROËN"},
    "fr": {"Toyota": "TOYOTA", "Nissan": "NISSAN", "Peugeot": "PEUGEOT", "Citroën": "CITROËN",
           "Mercedes-Benz": "Mercédès-Benz", "Škoda": "ŠKODA"},
}  # fmt: skip

# Class weights for generated cars, and the name suffix each race class gets.
CLASS_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("Gr.N", 38), ("N100", 6), ("N300", 8), ("N500", 7), ("N1000", 5),
    ("Gr.3", 11), ("Gr.4", 9), ("Gr.1", 4), ("Gr.2", 3), ("Gr.B", 4), ("Gr.X", 5),
)  # fmt: skip
CLASS_SUFFIX: dict[str, str] = {
    "Gr.1": " Gr.1",
    "Gr.2": " GT500",
    "Gr.3": " Gr.3",
    "Gr.4": " Gr.4",
    "Gr.B": " Gr.B Rally Car",
    "Gr.X": " Vision GT",
}
ROAD_TRIMS: tuple[str, ...] = ("", "", "", " Turbo", " RS", " GT", " Sport", " Coupe", " Spider", " Type S")

REFERENCE_DRIVERS: tuple[dict[str, Any], ...] = (
    {
        "psn_id": "skino2024", "nickname": "Skino", "guid": "54284943-ff00-4801-9086-c34c969a1ad0",
        "dr": "B", "sr": "S", "last_sync": "2026-05-20 13:59:01", "country_code": "GB",
        "stats": {
            "dr_points": 11027, "dr_ratio": 0.05135, "total_races": 223, "victories": 10, "poles": 3,
            "fastest_laps": 5, "clean_races": 49, "collector_level": 70, "license": "Master",
            "garage_count": 629, "collection_progress": "100%", "total_credits": 686491958,
            "play_time_readable": "1,265h 4m", "distance_km": "100,520.7",
        },
    },
    {
        "psn_id": "SparksTheory", "nickname": "Sparks", "guid": "85596fe8-f2f8-45c1-9474-f3357e8d9446",
        "dr": "A+", "sr": "S", "last_sync": "2026-05-20 13:59:05", "country_code": "GB",
        "stats": {
            "dr_points": 56101, "dr_ratio": 0.06101, "total_races": 2490, "victories": 361, "poles": 457,
            "fastest_laps": 317, "clean_races": 815, "collector_level": 70, "license": "N/A",
            "garage_count": 243, "collection_progress": "58%", "total_credits": 315834767,
            "play_time_readable": "2,244h 51m", "distance_km": "260,752.2",
        },
    },
    {
        "psn_id": "OFFICIAL_001", "nickname": "AHR_REDACTED", "guid": "b51f1834-d03d-4ebd-8342-d87ba61ebb9a",
        "dr": "A+", "sr": "S", "last_sync": "2026-05-20 13:59:09", "country_code": "GB",
        "stats": {
            "dr_points": 63506, "dr_ratio": 0.13506, "total_races": 339, "victories": 65, "poles": 74,
            "fastest_laps": 69, "clean_races": 152, "collector_level": 70, "license": "N/A",
            "garage_count": 608, "collection_progress": "85%", "total_credits": 739251528,
            "play_time_readable": "2,670h 53m", "distance_km": "132,281.8",
        },
    },
)  # fmt: skip

# skino2024 in Nations Cup 1564: rank 14, 342 points (120 + 88 + 60 + 74; rounds 2 and 5 dropped).
SKINO_SERIES_ROW: tuple[int, tuple[RoundSpec, ...]] = (
    14,
    ((1, 120, True), (2, 45, False), (3, 88, True), (4, 60, True), (5, 30, False), (6, 74, True)),
)
NATIONS_CUP_ID = 1564
MANUFACTURERS_CUP_ID = 2001


# ------------------------------------------------------------------------------------------------------------
# builders
# ------------------------------------------------------------------------------------------------------------


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def dr_for_points(dr_points: int) -> tuple[str, float]:
    """(DR letter, dr_ratio) for a dr_points value; dr_ratio is the progress inside the DR band."""
    for letter, low, high in reversed(DR_BANDS):
        if dr_points >= low:
            return letter, round((dr_points - low) / (high - low), 5)
    return "E", 0.0


def default_dataset(*, cars: int = 482, drivers: int = 300, seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    manufacturers = [
        Manufacturer(mid, name, LOGO_URL.format(slug=slugify(name))) for mid, name, _ in MANUFACTURER_TABLE
    ]
    dataset = Dataset(
        manufacturers=manufacturers,
        cars=_build_cars(rng, cars),
        regions=[Region(rid, code, name, active) for rid, code, name, active in REGION_TABLE],
        drivers={},
        series={},
        translations={locale: dict(table) for locale, table in TRANSLATIONS.items()},
    )
    for ref in REFERENCE_DRIVERS:
        driver = Driver(**{**ref, "stats": dict(ref["stats"])})
        dataset.drivers[driver.psn_id.lower()] = driver
    for i in range(1, drivers + 1):
        _add_generated_driver(dataset, rng, i)
    _build_series(dataset, rng)
    return dataset


def _build_cars(rng: random.Random, count: int) -> list[Car]:
    ferrari = FERRARI_CARS[: min(count, len(FERRARI_CARS))]
    generated = count - len(ferrari)

    # ids: 613..620 contiguous (the two reference Ferraris sit at 613 and 620), then small random gaps.
    ids = list(range(613, 613 + min(count, 8)))
    next_id = ids[-1] if ids else 612
    while len(ids) < count:
        next_id += 1 if rng.random() < 0.85 else rng.randint(2, 4)
        ids.append(next_id)

    reserved_codes = {code for *_, code in FERRARI_CARS}
    code_space = range(100, max(5000, count * 3))
    codes = [c for c in rng.sample(code_space, generated + len(reserved_codes)) if c not in reserved_codes]

    makes = [(mid, name, models) for mid, name, models in MANUFACTURER_TABLE if mid != FERRARI_ID]
    classes = [c for c, _ in CLASS_WEIGHTS]
    weights = [w for _, w in CLASS_WEIGHTS]
    used: set[str] = {f"Ferrari {model} '{year % 100:02d}" for model, _, year, _ in ferrari}
    specs: list[tuple[int, str, str]] = []  # (manufacturer_id, name, class)
    picked_makes = rng.choices(makes, k=generated)
    picked_classes = rng.choices(classes, weights=weights, k=generated)
    for (mid, make, models), car_class in zip(picked_makes, picked_classes, strict=True):
        model = rng.choice(models)
        suffix = CLASS_SUFFIX.get(car_class) or rng.choice(ROAD_TRIMS)
        year = rng.randint(2008, 2024) if car_class in RACE_CLASSES else rng.randint(1955, 2024)
        base = f"{make} {model}{suffix}"
        name = f"{base} '{year % 100:02d}"
        number = 2
        while name in used:
            name = f"{base} {number} '{year % 100:02d}"
            number += 1
        used.add(name)
        specs.append((mid, name, car_class))

    # Generated cars in a shuffled order, with the two reference Ferraris on positions 0 and 7 (ids 613, 620)
    # and the other Ferraris spread across the catalog.
    ordered: list[tuple[int, str, str, int]] = [
        (mid, name, cls, codes[i]) for i, (mid, name, cls) in enumerate(specs)
    ]
    ferrari_rows = [(FERRARI_ID, f"Ferrari {m} '{y % 100:02d}", cls, code) for m, cls, y, code in ferrari]
    for row in ferrari_rows[2:]:
        ordered.insert(rng.randint(0, len(ordered)), row)
    if ferrari_rows:
        ordered.insert(0, ferrari_rows[0])
    if len(ferrari_rows) > 1:
        ordered.insert(min(7, len(ordered)), ferrari_rows[1])
    return [
        Car(
            id=car_id,
            car_code=code,
            gt7_code=f"car{code}",
            name=name,
            car_class=cls,
            image=IMAGE_URL.format(code=code),
            manufacturer_id=mid,
        )
        for car_id, (mid, name, cls, code) in zip(ids, ordered, strict=True)
    ]


def _add_generated_driver(dataset: Dataset, rng: random.Random, i: int) -> Driver:
    dr_points = rng.randint(1000, 80000)
    total_races = rng.randint(5, 3000)
    victories = rng.randint(0, total_races // 5)
    hours, minutes = rng.randint(10, 3000), rng.randint(0, 59)
    return dataset.add_driver(
        f"driver{i:03d}",
        indexed=i % 3 != 0,
        dr_points=dr_points,
        sr=rng.choice(SAFETY_RATINGS),
        country_code=rng.choice(COUNTRY_CODES),
        nickname=f"{rng.choice(NICKNAMES)} {i}",
        guid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        last_sync=f"2026-05-{rng.randint(1, 20):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
        f"{rng.randint(0, 59):02d}",
        stats={
            "total_races": total_races,
            "victories": victories,
            "poles": rng.randint(0, victories + total_races // 20),
            "fastest_laps": rng.randint(0, victories + total_races // 20),
            "clean_races": rng.randint(0, total_races),
            "collector_level": rng.randint(1, 70),
            "license": rng.choice(LICENSES),
            "garage_count": rng.randint(5, 700),
            "collection_progress": f"{rng.randint(1, 100)}%",
            "total_credits": rng.randint(100_000, 900_000_000),
            "play_time_readable": f"{hours:,}h {minutes}m",
            "distance_km": f"{rng.uniform(500, 300_000):,.1f}",
        },
    )


def _random_rounds(rng: random.Random, low: int, high: int) -> list[RoundSpec]:
    """Six rounds; the 1 or 2 lowest-scoring ones are not counted."""
    points = [rng.randint(low, high) for _ in range(6)]
    dropped = set(sorted(range(6), key=lambda n: (points[n], n))[: rng.choice((1, 2))])
    return [(n + 1, points[n], n not in dropped) for n in range(6)]


def _total(rounds: Iterable[RoundSpec]) -> int:
    return sum(points for _, points, counted in rounds if counted)


def _build_series(dataset: Dataset, rng: random.Random) -> None:
    # Nations Cup 1564: skino2024 fixed at rank 14 with 342 points, 13 drivers above, 31 below.
    skino_rank, skino_rounds = SKINO_SERIES_ROW
    skino_total = _total(skino_rounds)
    generated = [d.psn_id for d in dataset.drivers.values() if d.psn_id.startswith("driver")]
    pool = ["SparksTheory", "OFFICIAL_001", *generated]
    above: list[tuple[str, list[RoundSpec]]] = []
    below: list[tuple[str, list[RoundSpec]]] = []
    for psn in pool:
        if len(above) == skino_rank - 1 and len(below) == 31:
            break
        while True:
            rounds = _random_rounds(rng, 10, 150)
            if _total(rounds) > skino_total and len(above) < skino_rank - 1:
                above.append((psn, rounds))
                break
            if _total(rounds) < skino_total and len(below) < 31:
                below.append((psn, rounds))
                break
    above.sort(key=lambda row: (-_total(row[1]), row[0].lower()))
    below.sort(key=lambda row: (-_total(row[1]), row[0].lower()))
    ranked = [*above, ("skino2024", list(skino_rounds)), *below]
    dataset.add_series(
        NATIONS_CUP_ID, "Nations Cup", {psn: (rank, rounds) for rank, (psn, rounds) in enumerate(ranked, 1)}
    )

    # Manufacturers Cup 2001: 20 drivers, ranked by their totals.
    entrants = ["skino2024", *generated[:19]]
    rows = sorted(
        ((psn, _random_rounds(rng, 5, 120)) for psn in entrants), key=lambda r: (-_total(r[1]), r[0])
    )
    dataset.add_series(
        MANUFACTURERS_CUP_ID,
        "Manufacturers Cup",
        {psn: (rank, rounds) for rank, (psn, rounds) in enumerate(rows, 1)},
    )
