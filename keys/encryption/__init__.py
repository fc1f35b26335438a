"""Encryption and keys: the field envelope, master keys (keyring), per-owner data keys, sealing
events on their way into the store, the vault the applications use, and key rotation."""
