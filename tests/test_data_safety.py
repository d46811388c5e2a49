"""Data safety across guilds: concurrent links and unlinks land exactly; no guild reads another's links."""

from __future__ import annotations

import asyncio

from tests.conftest import Harness
from tests.standins.interactions import FakeGuild, FakeUser


async def test_concurrent_links_and_unlinks_across_three_guilds_leave_exactly_the_expected_rows(
    harness: Harness,
) -> None:
    guilds = [harness.guild, FakeGuild(name="Second"), FakeGuild(name="Third")]
    members = [harness.member(f"m{number}", guild=guilds[number % 3]) for number in range(100)]
    for number in range(100):
        harness.gt.dataset.add_driver(f"Safe_{number:03d}")
    # Every member links; the first 40 are already linked and unlink at the same time as the others link.
    leaving = members[:40]
    await asyncio.gather(
        *(harness.slash("link", user=m, psn_id=f"Safe_{i:03d}") for i, m in enumerate(leaving))
    )
    results = await asyncio.gather(
        *(harness.slash("unlink", user=member) for member in leaving),
        *(harness.slash("link", user=m, psn_id=f"Safe_{i + 40:03d}") for i, m in enumerate(members[40:])),
    )
    assert all("went wrong" not in record.reply.text() for record in results)

    for index, guild in enumerate(guilds):
        rows = {link.member_id: link.psn_id for link in await harness.bot.links.for_guild(guild.id)}
        expected = {m.id: f"Safe_{i:03d}" for i, m in enumerate(members) if i >= 40 and i % 3 == index}
        assert rows == expected


async def test_no_guild_can_read_another_guilds_links(harness: Harness) -> None:
    other = FakeGuild(name="Elsewhere")
    harness.gt.dataset.add_driver("Home_Driver")
    harness.gt.dataset.add_driver("Away_Driver")
    home, away = harness.member("home"), harness.member("away", guild=other)
    await harness.slash("link", user=home, psn_id="Home_Driver")
    await harness.slash("link", user=away, psn_id="Away_Driver")

    # The away member, seen from the home guild, has no link there.
    looked_up = await harness.slash("profile", user=home, member=FakeUser(guild=harness.guild, id=away.id))
    assert "Away_Driver" not in looked_up.reply.text()
    board = await harness.slash("leaderboard", user=home)
    assert "Home_Driver" in board.reply.text()
    assert "Away_Driver" not in board.reply.text()
    compared = await harness.slash("compare", user=home, drivers=f"{away.mention} skino2024")
    assert "has not linked a PSN ID here" in compared.reply.text()
    assert "Away_Driver" not in compared.reply.text()
    standings = await harness.slash("standings", user=home, series=1564)
    assert "Away_Driver" not in standings.reply.text()
