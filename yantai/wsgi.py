"""
WSGI config for yantai project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yantai.settings")

django_application = get_wsgi_application()

# Anonymous readers' cached article pages are answered in front of Django's request
# cycle while their live row is unchanged (yantai/fastpath.py; it needs the apps
# loaded by get_wsgi_application()).
from yantai.fastpath import FastPathApplication  # noqa: E402

application = FastPathApplication(django_application)

# Load the URLconf, and with it every view module, now rather than on the first
# request; then take everything loaded so far out of the garbage collector's sight
# (gc.freeze). A full collection walked all of it: ~70 ms with the site loaded, a
# pause that landed in whichever request was running (the API's p99, bench/).
get_resolver().url_patterns  # noqa: B018 - evaluated for its import side effect
gc.freeze()
