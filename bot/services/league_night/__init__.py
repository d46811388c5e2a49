"""League night (no discord objects here): sign-ups with rating gates, the race calendar, check-in and
attendance; lobbies, penalties, teams and who can still win."""
