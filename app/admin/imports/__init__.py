"""The HR import: the organisation and its staff from the HR system's CSV export.

reading.py (bytes → rows), mapping.py (headers → fields), validation.py (every
problem, by file and line), services.py (compare and apply, set-based), cli.py
(`flask hr import`), routes.py (HR's upload → dry run → confirm). docs/hr-import.md.
"""
