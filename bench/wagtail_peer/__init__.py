"""A minimal Wagtail 8.0.1 project: the same-run peer of bench/wagtail_import.py (issue #16).

It runs only in its own venv, bench/.wagtail-venv (made by bench/wagtail_import.py), with
``PYTHONPATH=bench`` and ``DJANGO_SETTINGS_MODULE=wagtail_peer.settings``; the project's
own code and venv never import it.
"""
