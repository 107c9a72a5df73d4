"""WSGI entry of the Wagtail peer (bench/wagtail_serving.py runs gunicorn on it)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtail_peer.settings")

application = get_wsgi_application()
