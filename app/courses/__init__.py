"""Courses as content: the format (schema.py), the loader, `courses validate|sync`."""
