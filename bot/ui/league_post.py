"""The league poster: a league's standings as embeds plus the PNG, posted to its channel."""

from __future__ import annotations

import logging

import discord

from bot.services.league_night.night import LeagueSummary
from bot.services.league_notices import ChannelProblem
from bot.services.league_posts import ChannelUnavailableError, PostFailedError
from bot.services.leagues import League
from bot.services.standings import Standings
from bot.ui.i18n import public_post
from bot.ui.standings import DRIVERS_PER_CHANNEL_PAGE, channel_messages
from bot.ui.standings_answer import standings_answer
from bot.ui.standings_image import StandingsImages

log = logging.getLogger(__name__)


class ChannelPoster:
    """The `LeaguePoster` GridBot hands to its league posts: sending to a channel is Discord's business."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client
        self._images = StandingsImages()

    async def post_standings(
        self, league: League, standings: Standings, summary: LeagueSummary | None = None
    ) -> None:
        """In the server's language (a public post), in as few channel messages as Discord allows;
        Discord's refusals become the posts' errors. The league's team standings and who can still win
        (when it has teams / set its season) follow the driver table."""
        with public_post(self._client, league.guild_id):
            await self._post(league, standings, summary)

    async def _post(self, league: League, standings: Standings, summary: LeagueSummary | None) -> None:
        channel = self._client.get_partial_messageable(league.channel_id, guild_id=league.guild_id)
        answer = standings_answer(
            standings, league.name, summary, teams=True, per_page=DRIVERS_PER_CHANNEL_PAGE
        )
        messages = channel_messages(answer.pages)
        image = await answer.attachment(self._images)
        try:
            await channel.send(embeds=messages[0], file=image.file())
        except discord.Forbidden:
            raise ChannelUnavailableError(ChannelProblem.FORBIDDEN, league.channel_id) from None
        except discord.NotFound:
            raise ChannelUnavailableError(ChannelProblem.GONE, league.channel_id) from None
        except discord.HTTPException as error:
            raise PostFailedError(error.status) from None
        for page_message, embeds in enumerate(messages[1:], start=2):
            try:
                await channel.send(embeds=embeds)
            except discord.HTTPException as error:
                # The table and the image are already posted: a retry would post them twice, so the rest
                # of the pages is given up on and the post counts as made.
                log.warning(
                    "league %d: page message %d of %d not posted (HTTP %s)",
                    league.id,
                    page_message,
                    len(messages),
                    error.status,
                )
                return
