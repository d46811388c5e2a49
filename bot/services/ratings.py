"""Driver and Sportsmanship Rating classes: the one definition of the DR tiers and of both class orders,
for every image, embed, command and the change detection.

DR tier thresholds (DR points; lower bound inclusive). GT Grid Stats does not publish them; they are read
from its own numbers: `dr_ratio` is the progress inside the driver's band, and the reference answers fit
exactly with these bounds (B 11,027 → ratio 0.05135 = (11,027 − 10,000) / 20,000; A+ 56,101 → 0.06101 =
(56,101 − 50,000) / 100,000):

    E  0 – 1,999     D  2,000 – 3,999     C  4,000 – 9,999
    B  10,000 – 29,999     A  30,000 – 49,999     A+  50,000 and up
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DrBand:
    name: str
    lower: int  # inclusive
    upper: int | None  # exclusive; None: no upper bound


DR_BANDS: tuple[DrBand, ...] = (
    DrBand("E", 0, 2_000),
    DrBand("D", 2_000, 4_000),
    DrBand("C", 4_000, 10_000),
    DrBand("B", 10_000, 30_000),
    DrBand("A", 30_000, 50_000),
    DrBand("A+", 50_000, None),
)

# Class orders, lowest first, as GT Grid Stats writes them.
DR_CLASSES: tuple[str, ...] = tuple(band.name for band in DR_BANDS)  # E, D, C, B, A, A+
SR_CLASSES: tuple[str, ...] = ("E", "D", "C", "B", "A", "S")
_RANKS: dict[str, dict[str, int]] = {
    "DR": {name: rank for rank, name in enumerate(DR_CLASSES)},
    "SR": {name: rank for rank, name in enumerate(SR_CLASSES)},
}


def class_rank(rating: str, name: str) -> int | None:
    """A class's place in its rating's order (0 = E), or None when it is not one ("DR" or "SR")."""
    return _RANKS.get(rating.upper(), {}).get(name.strip().upper())


# "E < 2,000 ≤ D < 4,000 ≤ C < 10,000 ≤ B < 30,000 ≤ A < 50,000 ≤ A+", for help texts and embeds.
BANDS_TEXT = " ".join(
    f"{band.name} < {band.upper:,} ≤" if band.upper is not None else band.name for band in DR_BANDS
)


def dr_band(points: int) -> str:
    """The band a DR points value falls in (negative values count as E)."""
    for band in reversed(DR_BANDS):
        if points >= band.lower:
            return band.name
    return DR_BANDS[0].name


def bands_in_range(low: float, high: float) -> list[DrBand]:
    """The bands that share some of [low, high] (more than a single boundary value), lowest first."""
    return [
        band
        for band in DR_BANDS
        if band.lower < high and (band.upper is None or band.upper > low) and high > low
    ]
