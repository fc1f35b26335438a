"""Confidentiality core, split by job: encryption/ (keys and sealing), access/ (policy, filter, access
log), logins/ (passwords, TOTP, sessions), storage/ (the SQL tables that are not events)."""
