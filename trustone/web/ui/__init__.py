"""The web application for people: server-rendered pages on the same use cases as the JSON API.

A page route reads the form, calls the use case its JSON twin calls, and renders the answer; it
decides nothing about access (the policy does, through the use case) and holds no rule of the
covenant. ``install`` adds what the pages need to the app: the templates, the static files, the
session cookie's login, CSRF protection and the security headers.
"""
