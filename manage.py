#!/usr/bin/env python
"""Django's command-line utility for the DIANA portal."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diana_portal.settings")
    from django.core.management import execute_from_command_line

    from diana_portal.env import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        # A bad environment value is one clear line, never a traceback.
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
