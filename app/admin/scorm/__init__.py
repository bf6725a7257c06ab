"""HR's pages for bought-in courses (SCORM packages): upload and settings.

The import itself and the settings are app/courses/scorm.py's; these are the views.
"""
