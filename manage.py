#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def use_local_secret_key() -> None:
    """Without DJANGO_SECRET_KEY in the environment, use the key ./run made for this
    installation (var/secret_key), as ``./run manage`` does; without either, the
    settings refuse to start and say how to get one."""
    key_file = Path(__file__).resolve().parent / "var" / "secret_key"
    if not os.environ.get("DJANGO_SECRET_KEY", "").strip() and key_file.is_file():
        key = key_file.read_text().strip()
        if key:
            os.environ["DJANGO_SECRET_KEY"] = key


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yantai.settings")
    use_local_secret_key()
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
