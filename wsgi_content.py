"""The content origin of bought-in (SCORM) courses: `flask --app wsgi_content run --port 5001`
or gunicorn wsgi_content:app on its own host name (docs/architecture.md)."""

from app.scorm_content import create_content_app

app = create_content_app()
