"""League night: sign-ups with rating gates, the race calendar, check-in and attendance (no discord)."""
