"""/standings through real discord.py interactions, against the GT Grid Stats stand-in over HTTP."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from PIL import Image

from bot.storage.links import Link
from tests.conftest import Harness
from tests.standins.discord_api import SentMessage
from tests.standins.interactions import FakeChannel, FakeUser

SERIES = 5150
LINKED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def add_cup(harness: Harness) -> None:
    """beta_two and alpha_one tie on 90 (beta_two ranks higher in the series), gamma_3 has 60, delta_4 20."""
    harness.gt.dataset.add_series(
        SERIES,
        "Nations Cup",
        {
            "alpha_one": (2, [(1, 50, True), (2, 10, False), (3, 40, True)]),
            "beta_two": (1, [(1, 60, True), (2, 30, True), (3, 5, False)]),
            "gamma_3": (3, [(1, 20, True), (2, 20, True), (3, 20, True)]),
            "delta_4": (4, [(1, 20, True), (2, 0, False), (3, 0, True)]),
        },
    )


def driver_lines(message: SentMessage) -> list[str]:
    """The first line of each driver block, in order, over the message's embed."""
    return [line for line in message.embed["description"].split("\n") if line.startswith("`")]


async def link(harness: Harness, member: FakeUser, psn_id: str) -> None:
    await harness.bot.links.set(Link(harness.guild.id, member.id, psn_id, None, LINKED_AT))


async def test_standings_rank_share_ties_mark_dropped_rounds_and_show_gaps(harness: Harness) -> None:
    add_cup(harness)
    alpha = harness.member("alpha")
    await link(harness, alpha, "alpha_one")
    record = await harness.slash(
        "standings", user=harness.member("ann"), series=SERIES, drivers="gamma_3 alpha_one beta_two delta_4"
    )
    assert record.deferred
    reply = record.reply
    assert not reply.ephemeral
    assert reply.embed["title"] == "Nations Cup · series 5150 standings"
    lines = driver_lines(reply)
    assert lines == [
        r"`=1` **beta\_two** · **90** pts · leader",
        f"`=1` <@{alpha.id}> · **90** pts · gap 0 · int 0",
        r"` 3` **gamma\_3** · **60** pts · gap 30 · int 30",
        r"` 4` **delta\_4** · **20** pts · gap 70 · int 40",
    ]
    description = reply.embed["description"]
    assert "R1 60 · R2 30 · R3 ~~5~~" in description  # beta_two's dropped round 3
    assert "R1 50 · R2 ~~10~~ · R3 40" in description  # alpha_one's dropped round 2
    assert "4 drivers · as of <t:" in description
    assert "~~12~~ dropped round" in description


async def test_the_png_is_attached_and_readable(harness: Harness) -> None:
    add_cup(harness)
    record = await harness.slash(
        "standings", user=harness.member("ann"), series=SERIES, drivers="alpha_one beta_two gamma_3"
    )
    (attachment,) = record.reply.attachments
    assert attachment.filename == "standings-series-5150.png"
    image = Image.open(io.BytesIO(attachment.data))
    image.load()
    assert image.format == "PNG"
    # Title 124 + header 46 + 3 rows of 52 + chart 28 + 500 + footer 52.
    assert image.size == (1000, 124 + 46 + 3 * 52 + 28 + 500 + 52)


async def test_a_roster_of_40_takes_3_upstream_calls_and_pages(harness: Harness) -> None:
    psn_ids = [f"racer{number:03d}" for number in range(40)]
    harness.gt.dataset.add_series(
        SERIES, "Manufacturers Cup", {psn: (n + 1, [(1, 400 - n, True)]) for n, psn in enumerate(psn_ids)}
    )
    harness.gt.reset_counts()
    owner = harness.member("ann")
    record = await harness.slash("standings", user=owner, series=SERIES, drivers=", ".join(psn_ids))
    assert harness.gt.count("/api/series-") == 3
    reply = record.reply
    assert reply.embed["footer"]["text"] == "Page 1 of 4"
    assert driver_lines(reply)[0].startswith("` 1` **racer000**")
    await harness.driver.click(reply, "Last", user=owner)
    assert driver_lines(reply)[-1].startswith("`40` **racer039** · **361** pts · gap 39 · int 1")
    assert len(reply.attachments) == 1  # the image stays while pages turn


async def test_without_options_every_linked_member_is_ranked(harness: Harness) -> None:
    add_cup(harness)
    gamma, delta = harness.member("gamma"), harness.member("delta")
    await link(harness, gamma, "gamma_3")
    await link(harness, delta, "delta_4")
    record = await harness.slash("standings", user=harness.member("ann"), series=SERIES)
    assert [re.sub(r"`.*?` ", "", line).split(" ·")[0] for line in driver_lines(record.reply)] == [
        f"<@{gamma.id}>",
        f"<@{delta.id}>",
    ]


async def test_a_league_roster_can_be_ranked_with_autocomplete(harness: Harness) -> None:
    add_cup(harness)
    organiser = harness.member("org", manager=True)
    channel = FakeChannel(harness.guild)
    await harness.slash("league setup", user=organiser, name="Sunday Cup", series=SERIES, channel=channel)
    await harness.slash("league setup", user=organiser, name="Monday Sprint", series=SERIES, channel=channel)
    await harness.slash("league add", user=organiser, league="Sunday Cup", drivers="gamma_3 delta_4")
    member = harness.member("fan")
    choices = await harness.autocomplete("standings", "league", user=member, league="sun")
    assert choices == [{"name": "Sunday Cup", "value": "Sunday Cup"}]
    record = await harness.slash("standings", user=member, series=SERIES, league="sunday cup")
    assert record.reply.embed["title"] == "Sunday Cup — Nations Cup · series 5150"
    assert len(driver_lines(record.reply)) == 2


async def test_bad_series_ids_are_refused_before_any_call(harness: Harness) -> None:
    harness.gt.reset_counts()
    for series in (0, -4):
        record = await harness.slash(
            "standings", user=harness.member("ann"), series=series, drivers="alpha_one"
        )
        assert record.reply.ephemeral
        assert record.reply.content == "The series id must be a positive whole number."
        assert not record.deferred
    assert harness.gt.count() == 0


async def test_an_unknown_series_is_named(harness: Harness) -> None:
    record = await harness.slash("standings", user=harness.member("ann"), series=777, drivers="alpha_one")
    assert record.deferred
    assert record.reply.content == "GT Grid Stats has no series 777. Please check the series id."
    assert record.reply.attachments == []


async def test_a_series_without_any_of_the_drivers_says_so(harness: Harness) -> None:
    add_cup(harness)
    record = await harness.slash(
        "standings", user=harness.member("ann"), series=SERIES, drivers="ghost_one ghost_two"
    )
    assert record.reply.content == (
        "None of the 2 drivers asked about have results in series 5150 (Nations Cup)."
    )


async def test_bad_driver_lists_and_conflicting_options_get_clear_messages(harness: Harness) -> None:
    user = harness.member("ann")
    # `league` is parsed like every league option (an unknown name is refused before anything else), so the
    # conflict is asked with a league that exists.
    add_cup(harness)
    organiser = harness.member("org", manager=True)
    channel = FakeChannel(harness.guild)
    await harness.slash("league setup", user=organiser, name="Cup", series=SERIES, channel=channel)
    harness.gt.reset_counts()
    bad = await harness.slash("standings", user=user, series=SERIES, drivers="ok_name x!")
    assert bad.reply.ephemeral
    assert bad.reply.content is not None
    assert bad.reply.content.startswith("Please fix the driver list:")
    assert "`x!`" in bad.reply.content
    unlinked = harness.member("nolink")
    mention = await harness.slash("standings", user=user, series=SERIES, drivers=unlinked.mention)
    assert mention.reply.content is not None
    assert f"<@{unlinked.id}> has not linked a PSN ID here" in mention.reply.content
    both = await harness.slash("standings", user=user, series=SERIES, drivers="alpha_one", league="Cup")
    assert both.reply.content == "Please give either `drivers` or `league`, not both."
    nobody = await harness.slash("standings", user=user, series=SERIES)
    assert nobody.reply.content is not None
    assert nobody.reply.content.startswith("Nobody here has linked a PSN ID yet")
    unknown = await harness.slash("standings", user=user, series=SERIES, league="Nope")
    assert unknown.reply.content is not None
    assert unknown.reply.content.startswith("There is no league called `Nope` here.")
    too_many = " ".join(f"racer{number:03d}" for number in range(201))
    over = await harness.slash("standings", user=user, series=SERIES, drivers=too_many)
    assert over.reply.content == "Please give at most 200 drivers; 201 were given."
    assert harness.gt.count() == 0
    assert all(record.reply.ephemeral for record in (mention, both, nobody, unknown, over))


async def test_a_league_gives_its_series_when_series_is_left_out(harness: Harness) -> None:
    add_cup(harness)
    organiser = harness.member("org", manager=True)
    channel = FakeChannel(harness.guild)
    await harness.slash("league setup", user=organiser, name="Sunday Cup", series=SERIES, channel=channel)
    await harness.slash("league add", user=organiser, drivers="gamma_3 delta_4")
    harness.gt.reset_counts()
    record = await harness.slash("standings", user=harness.member("fan"), league="Sunday Cup")
    assert record.reply.embed["title"] == "Sunday Cup — Nations Cup · series 5150"
    assert len(driver_lines(record.reply)) == 2
    assert harness.gt.count("/api/series-5150/") == 1


async def test_standings_without_series_or_league_say_what_is_missing(harness: Harness) -> None:
    add_cup(harness)
    harness.gt.reset_counts()
    user = harness.member("ann")
    for options in ({}, {"drivers": "alpha_one"}):
        record = await harness.slash("standings", user=user, **options)
        assert record.reply.ephemeral
        assert record.reply.content == "Please give the `series` id, or a `league` (its series is used)."
    assert harness.gt.count() == 0
