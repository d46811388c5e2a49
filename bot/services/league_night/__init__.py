"""League night: lobbies, penalties, teams and who can still win (no discord objects here)."""
