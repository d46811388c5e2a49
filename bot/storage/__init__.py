"""SQLite storage: one connection, numbered migrations, one module per table family."""
