"""The images' one visual language: palette, type scale and font loading, shared by every PNG the bot draws.

Fonts: names, league titles and nicknames come in every script, so the images use Noto Sans CJK (the
`cvttf-notosanscjk-regular` / `-bold` packages, installed with the bot), which covers Latin, Greek,
Cyrillic, kana, Han and Hangul in one family. Without it, a system Noto CJK is used when one is found
at a common path, then DejaVu Sans, then Pillow's own font; one log line says which, and that Chinese,
Japanese and Korean text will not draw when falling back.
What Noto Sans CJK lacks (Latin Extended such as ł, ğ, ř; accented Greek; Ukrainian and Serbian Cyrillic)
is drawn with DejaVu Sans, character by character, when the system has it (`Draw`, `runs`).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from PIL import ImageDraw, ImageFont

from bot.ui.i18n import N_

log = logging.getLogger(__name__)

Colour = tuple[int, int, int]
FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont

# --- Palette (dark, GT red accents) -------------------------------------------------------------------
BACKGROUND: Colour = (22, 24, 29)
STRIPE: Colour = (30, 33, 40)
LEADER: Colour = (52, 24, 30)
TEXT: Colour = (240, 242, 245)
MUTED: Colour = (150, 156, 166)
GRID: Colour = (58, 62, 72)
BRAND: Colour = (228, 0, 43)  # GT red, as the embeds' BRAND_COLOUR
UP: Colour = (64, 192, 87)
DOWN: Colour = (250, 82, 82)
SERIES_COLOURS: tuple[Colour, ...] = (BRAND, (34, 184, 207), (250, 176, 5), (64, 192, 87), (151, 117, 250))
# DR bands: a dark tint of each band's hue for its area, and a bright one for its label. Neighbouring
# bands differ in hue and brightness, so the boundary reads even on a dim phone screen.
DR_BAND_FILLS: dict[str, Colour] = {
    "E": (36, 38, 44),
    "D": (26, 38, 56),
    "C": (26, 46, 36),
    "B": (50, 42, 22),
    "A": (56, 28, 34),
    "A+": (42, 32, 62),
}
DR_BAND_LABELS: dict[str, Colour] = {
    "E": (190, 194, 202),
    "D": (116, 170, 240),
    "C": (105, 210, 140),
    "B": (250, 196, 70),
    "A": (255, 120, 130),
    "A+": (185, 150, 255),
}

# --- Layout and type scale (px at the final size) ------------------------------------------------------
WIDTH = 1000  # phone-friendly: every image is this wide
MARGIN = 36
BRAND_BAR = 8  # the red strip along the top edge
TITLE_SIZE = 38  # bold
SUBTITLE_SIZE = 22
BODY_SIZE = 28
CHART_TITLE_SIZE = 26  # bold
HEADER_SIZE = 20  # bold, table column titles
LABEL_SIZE = 20  # axis labels, legends, notes
FOOTER_SIZE = 18
FOOTER_TEXT = N_("GT Grid · data from GT Grid Stats")  # translated where it is drawn

# --- Fonts -------------------------------------------------------------------------------------------
_PACKAGES = {False: "cvttf_NotoSansCJK_Regular", True: "cvttf_NotoSansCJK_Bold"}
# Where distributions put Noto Sans CJK (Debian/Ubuntu fonts-noto-cjk, Fedora, Arch, Homebrew, by hand).
_SYSTEM_NOTO_CJK = {
    False: (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
        "/usr/local/share/fonts/NotoSansCJK-Regular.ttc",
        "/opt/homebrew/share/fonts/NotoSansCJK-Regular.ttc",
    ),
    True: (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/truetype/noto/NotoSansCJK-Bold.ttc",
        "/usr/local/share/fonts/NotoSansCJK-Bold.ttc",
        "/opt/homebrew/share/fonts/NotoSansCJK-Bold.ttc",
    ),
}
_DEJAVU = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}  # Pillow looks in the system font folders
_FONT_SUFFIXES = (".otf", ".ttf", ".ttc")


@dataclass(frozen=True)
class FontSource:
    """The files the images are drawn with. `None` means Pillow's built-in font."""

    name: str
    regular: str | None
    bold: str | None
    covers_cjk: bool


def _packaged(package: str) -> str | None:
    """The font file inside an installed font package, without running the package's code paths."""
    try:
        folder = resources.files(package)
    except ModuleNotFoundError:
        return None
    for entry in folder.iterdir():
        if entry.is_file() and entry.name.lower().endswith(_FONT_SUFFIXES):
            return str(entry)
    return None


def _opens(path: str) -> bool:
    try:
        ImageFont.truetype(path, 12)
    except OSError:
        return False
    return True


def find_font_source(
    packages: Mapping[bool, str] = _PACKAGES,
    system_paths: Mapping[bool, Sequence[str]] = _SYSTEM_NOTO_CJK,
    dejavu: Mapping[bool, str] = _DEJAVU,
) -> FontSource:
    """The best font available, logging once which (a warning when CJK and Hangul will not draw)."""
    regular = _packaged(packages[False])
    if regular is not None and _opens(regular):
        bold = _packaged(packages[True])
        source = FontSource(
            "Noto Sans CJK (packaged)", regular, bold if bold and _opens(bold) else regular, True
        )
        log.info("Images use %s: Latin, CJK and Hangul all draw", source.name)
        return source
    system = next((path for path in system_paths[False] if Path(path).is_file() and _opens(path)), None)
    if system is not None:
        bold = next((path for path in system_paths[True] if Path(path).is_file() and _opens(path)), system)
        source = FontSource("Noto Sans CJK (system)", system, bold, True)
        log.info("Images use %s at %s: Latin, CJK and Hangul all draw", source.name, system)
        return source
    if _opens(dejavu[False]):
        bold_name = dejavu[True] if _opens(dejavu[True]) else dejavu[False]
        source = FontSource("DejaVu Sans", dejavu[False], bold_name, False)
    else:
        source = FontSource("Pillow's built-in font", None, None, False)
    log.warning(
        "Images use %s: no Noto Sans CJK found (install cvttf-notosanscjk-regular and -bold), "
        "so Chinese, Japanese and Korean characters in images will not draw",
        source.name,
    )
    return source


@cache
def font_source() -> FontSource:
    return find_font_source()


_fallbacks: dict[FontT, FontT] = {}  # filled by font(), one entry per size and weight in use


def fit_text(draw: ImageDraw.ImageDraw, text: str, face: FontT, width: float) -> str:
    """`text` cut with "..." to fit `width` pixels in `face` (as drawn on `draw`)."""
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "...", font=face) > width:
        text = text[:-1]
    return text + "..."


def draw_heading(draw: ImageDraw.ImageDraw, title: str, subtitle: str, scale: int = 1) -> None:
    """Every image's top: the brand bar, the title, the subtitle (each cut to fit), drawn `scale` times
    the final size (for images drawn supersampled)."""
    s = scale
    draw.rectangle((0, 0, WIDTH * s, BRAND_BAR * s), fill=BRAND)
    title_font, subtitle_font = font(TITLE_SIZE * s, bold=True), font(SUBTITLE_SIZE * s)
    width = (WIDTH - 2 * MARGIN) * s
    draw.text((MARGIN * s, 34 * s), fit_text(draw, title, title_font, width), font=title_font, fill=TEXT)
    draw.text(
        (MARGIN * s, 84 * s), fit_text(draw, subtitle, subtitle_font, width), font=subtitle_font, fill=MUTED
    )


@cache
def font(size: int, bold: bool = False) -> FontT:
    """The images' font at `size` px (cached: each size is opened once)."""
    source = font_source()
    path = source.bold if bold else source.regular
    face = ImageFont.load_default(size) if path is None else ImageFont.truetype(path, size)
    fallback = _dejavu(size, bold)
    if fallback is not None and path != fallback.path:
        _fallbacks[face] = fallback
    return face


@cache
def _dejavu(size: int, bold: bool) -> ImageFont.FreeTypeFont | None:
    """DejaVu Sans, for what Noto Sans CJK lacks: Latin Extended (ł, ğ, ř, ő), accented Greek, the
    Cyrillic of Ukrainian and Serbian (і, ї, ђ). None when the system has no DejaVu."""
    try:
        return ImageFont.truetype(_DEJAVU[bold], size)
    except OSError:
        return None


def runs(text: str, face: FontT) -> list[tuple[str, FontT]]:
    """`text` cut into runs, each with the font that draws it: the images' font, or its fallback for
    the characters only the fallback has."""
    fallback = _fallbacks.get(face)
    if fallback is None:
        return [(text, face)] if text else []
    pieces: list[tuple[str, FontT]] = []
    for char in text:
        use = face
        if not _has_glyph(face, char) and _has_glyph(fallback, char):
            use = fallback
        if pieces and pieces[-1][1] is use:
            pieces[-1] = (pieces[-1][0] + char, use)
        else:
            pieces.append((char, use))
    return pieces


class Draw(ImageDraw.ImageDraw):
    """ImageDraw whose `text` and `textlength` draw each character with a font that has it (see `runs`)."""

    def textlength(self, text: Any, font: Any = None, *args: Any, **kwargs: Any) -> float:
        if not isinstance(text, str) or font is None:
            return super().textlength(text, font, *args, **kwargs)
        return sum(super(Draw, self).textlength(run, face) for run, face in runs(text, font))

    def text(
        self,
        xy: Any,
        text: Any,
        fill: Any = None,
        font: Any = None,
        anchor: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        plain = not (isinstance(text, str) and isinstance(font, ImageFont.FreeTypeFont))
        pieces = [] if plain else runs(text, font)
        if len(pieces) <= 1:
            super().text(xy, text, fill, font, anchor, *args, **kwargs)
            return
        horizontal, vertical = (anchor or "la")[0], (anchor or "la")[1]
        width = self.textlength(text, font)
        x = xy[0] - {"l": 0.0, "m": width / 2, "r": width}.get(horizontal, 0.0)
        ascent, descent = font.getmetrics()
        baseline = xy[1] + {"a": ascent, "m": (ascent - descent) / 2, "s": 0, "d": -descent}.get(vertical, 0)
        for run, face in pieces:
            super().text((x, baseline), run, fill, face, "ls", *args, **kwargs)
            x += super().textlength(run, face)


# --- Glyph coverage ----------------------------------------------------------------------------------
# A codepoint no font maps (the last one Unicode has, a permanent noncharacter): FreeType draws it with
# glyph 0, the font's .notdef (usually the empty box).
_NEVER_MAPPED = "\U0010ffff"


def _drawn(face: ImageFont.FreeTypeFont, text: str) -> tuple[tuple[int, int], bytes, float]:
    mask = face.getmask(text, mode="L")
    return mask.size, bytes(mask), face.getlength(text)


@lru_cache(maxsize=8192)
def _has_glyph(face: FontT, char: str) -> bool:
    if unicodedata.category(char) in ("Cc", "Cf"):
        return True  # controls and format characters (zero-width joiner, ...) draw nothing on purpose
    if not isinstance(face, ImageFont.FreeTypeFont):
        # Pillow's bitmap font: Latin-1 only; a character it lacks raises or draws as nothing.
        try:
            mask = face.getmask(char)
        except UnicodeEncodeError:
            return False
        return char.isspace() or mask.getbbox() is not None
    # A character the font lacks is drawn as .notdef: exactly the picture, size and advance of the
    # never-mapped codepoint. Any glyph of its own differs in at least one of the three (a space has
    # no ink but its own advance), so this needs no access to the font's character map.
    return _drawn(face, char) != _drawn(face, _NEVER_MAPPED)


def missing_glyphs(face: FontT, text: str) -> list[str]:
    """The distinct characters of `text` that `face` has no glyph for, in order of first appearance."""
    missing: list[str] = []
    for char in dict.fromkeys(text):
        if not _has_glyph(face, char):
            missing.append(char)
    return missing


def covers(face: FontT, texts: Iterable[str]) -> bool:
    return not any(missing_glyphs(face, text) for text in texts)
