"""Logins: passwords (argon2id), TOTP, login throttling and sessions."""
