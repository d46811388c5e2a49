"""The images' theme: the font draws Latin, CJK and Hangul, the glyph check tells, the fallback says so."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from PIL import ImageDraw, ImageFont

from bot.ui import theme
from bot.ui.theme import FontT, find_font_source, font, missing_glyphs

# League names and nicknames in each script the issue names, with the accents of Latin names.
SCRIPTS = {
    "latin": "Müller Ærø José Łukasz Çağlar Dvořák",
    "japanese": "鈴木レーシング",
    "simplified chinese": "赛车联盟",
    "traditional chinese": "賽車聯盟",
    "korean": "레이싱 리그",
}


class DrawnText:
    """Every text an image renderer asks for (theme.Draw.text), and every piece Pillow then draws with the
    font it draws it in (a spy on ImageDraw.text)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, FontT]] = []
        self.requested: list[str] = []
        original: Callable[..., None] = ImageDraw.ImageDraw.text
        themed: Callable[..., None] = theme.Draw.text

        def request(draw: theme.Draw, xy: Any, text: Any, *args: Any, **kwargs: Any) -> None:
            self.requested.append(str(text))
            themed(draw, xy, text, *args, **kwargs)

        monkeypatch.setattr(theme.Draw, "text", request)

        def text(draw: ImageDraw.ImageDraw, xy: Any, text: Any, *args: Any, **kwargs: Any) -> None:
            face = kwargs.get("font", args[1] if len(args) > 1 else None)  # (fill, font, ...)
            assert face is not None, f"{text!r} was drawn without the theme's font"
            self.calls.append((str(text), face))
            original(draw, xy, text, *args, **kwargs)

        monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)

    def texts(self) -> list[str]:
        return self.requested

    def missing(self) -> dict[str, list[str]]:
        """Each drawn text that has a character its font lacks (drawn as the .notdef box)."""
        found = {text: missing_glyphs(face, text) for text, face in self.calls}
        return {text: chars for text, chars in found.items() if chars}


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_the_images_fonts_have_every_character_of_each_script(script: str, bold: bool) -> None:
    assert theme.font_source().covers_cjk
    pieces = theme.runs(SCRIPTS[script], font(28, bold=bold))
    assert "".join(text for text, _ in pieces) == SCRIPTS[script]
    assert [missing_glyphs(face, text) for text, face in pieces] == [[] for _ in pieces]


def test_characters_noto_lacks_are_drawn_with_dejavu_and_the_rest_with_noto() -> None:
    face = font(28)
    pieces = theme.runs("Łukasz 鈴木 Çağlar", face)
    assert [text for text, _ in pieces] == ["Ł", "ukasz 鈴木 Ça", "ğ", "lar"]
    assert [piece_font is face for _, piece_font in pieces] == [False, True, False, True]
    for text, piece_font in pieces:
        assert missing_glyphs(piece_font, text) == []
    assert theme.runs("鈴木レーシング", face) == [("鈴木レーシング", face)]  # one run: drawn as before


def test_the_check_reports_what_a_font_without_cjk_lacks() -> None:
    plain = ImageFont.load_default(28)  # Pillow's own font: basic Latin only
    assert missing_glyphs(plain, "Muller 77") == []
    assert missing_glyphs(plain, "鈴木レーシング") == list("鈴木レーシング")
    assert missing_glyphs(plain, "레이싱 리그") == list("레이싱리그")  # the space it has
    assert missing_glyphs(plain, "Team 赛车赛车") == ["赛", "车"]  # each character once


def test_the_check_works_on_pillows_bitmap_font_too() -> None:
    bitmap = ImageFont.load_default_imagefont()
    assert missing_glyphs(bitmap, "Muller") == []
    assert missing_glyphs(bitmap, "A鈴") == ["鈴"]


def test_the_check_tells_spaces_and_marks_from_missing_glyphs() -> None:
    face = font(28)
    assert missing_glyphs(face, " \u00a0\u200b·") == []  # spaces, a zero-width space, a middle dot
    assert missing_glyphs(face, "\U0001f3ce") == ["\U0001f3ce"]  # 🏎: no emoji in Noto Sans CJK


def test_the_packaged_noto_font_is_used_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.ui.theme"):
        source = find_font_source()
    assert source.name == "Noto Sans CJK (packaged)"
    assert source.regular is not None
    assert source.regular.endswith("NotoSansCJKtc-Regular.otf")
    assert source.bold is not None
    assert source.bold.endswith("NotoSansCJKtc-Bold.otf")
    assert [record.getMessage() for record in caplog.records] == [
        "Images use Noto Sans CJK (packaged): Latin, CJK and Hangul all draw"
    ]


def test_without_any_noto_font_it_falls_back_and_says_cjk_will_not_draw(
    caplog: pytest.LogCaptureFixture,
) -> None:
    absent = {False: "no_such_font_package_regular", True: "no_such_font_package_bold"}
    no_paths: dict[bool, tuple[str, ...]] = {False: ("/nonexistent/Noto.ttc",), True: ()}
    with caplog.at_level(logging.INFO, logger="bot.ui.theme"):
        source = find_font_source(absent, no_paths)
        builtin = find_font_source(absent, no_paths, {False: "NoSuchFont.ttf", True: "NoSuchFont-Bold.ttf"})
    assert not source.covers_cjk
    assert source.name in ("DejaVu Sans", "Pillow's built-in font")  # DejaVu when the system has it
    assert builtin == theme.FontSource("Pillow's built-in font", None, None, False)
    messages = [record for record in caplog.records if record.name == "bot.ui.theme"]
    assert len(messages) == 2  # one line each time a font is chosen
    for record in messages:
        assert record.levelno == logging.WARNING
        assert "Chinese, Japanese and Korean characters in images will not draw" in record.getMessage()
        assert "cvttf-notosanscjk-regular" in record.getMessage()
