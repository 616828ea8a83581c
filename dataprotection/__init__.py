"""Data protection operations over every app: retention, subject access, backups, scans.

This app sits above the feature apps (it reads and purges their records) and
has no models of its own. ``retention`` applies ``settings.THRESHOLD_RETENTION``;
``subject_access`` gathers everything held about one person; ``backups``
copies and restores the database; ``scanning`` looks for real-looking
identifiers in what is stored.
"""
