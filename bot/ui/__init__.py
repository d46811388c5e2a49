"""Rendering: models to embeds, pagination views and images. No upstream calls, no storage."""
