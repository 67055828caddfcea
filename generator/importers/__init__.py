"""Importers: turn question pages, Parliament API files and live API fetches into content files.

Every path ends in `store.ImportStore`, which writes through `generator.content_files`, so an
imported question has exactly one serialisation whatever it came from.
"""
