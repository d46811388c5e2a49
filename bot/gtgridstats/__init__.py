"""The GT Grid Stats API: client, models, request budget and errors."""

from bot.gtgridstats.budget import EndpointClass, RequestBudget
from bot.gtgridstats.client import GTGridStatsClient
from bot.gtgridstats.errors import GTGridStatsError

__all__ = ["EndpointClass", "GTGridStatsClient", "GTGridStatsError", "RequestBudget"]
