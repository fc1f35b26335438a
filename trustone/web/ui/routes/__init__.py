"""The pages, one module per role's work (``account`` holds login, logout, the language and the desk)."""
