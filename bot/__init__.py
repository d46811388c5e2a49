"""gt-grid-bot: a Discord bot for Gran Turismo 7 communities, powered by the GT Grid Stats API."""

__version__ = "0.1.0"
