"""Domain model of the registry. Pure: imports the eventsourcing domain base classes, no infrastructure."""
