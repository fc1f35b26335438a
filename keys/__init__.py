"""Confidentiality core: password hashing now; envelope encryption, the filter and the access log follow."""
