"""Storage shared by keys/: the small SQL connection for the tables that are not events, and the
append-only guard on event and log tables."""
