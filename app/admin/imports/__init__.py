"""The HR import: the organisation and its staff from the HR system's CSV export.

reading.py (bytes → rows), mapping.py (headers → fields), validation.py (every
problem, by file and line), plan.py (compare with the database), apply.py
(set-based writes), lock.py (one import at a time), services.py (import_files:
the stages in one transaction; run_import: lock → import → fingerprint → commit →
invitations, for both doors), cli.py (`flask hr import`), routes.py (HR's
upload → dry run → confirm). docs/hr-import.md.
"""
