#!/usr/bin/env python
"""Django's command-line utility for the DIANA portal."""

import os
import sys

# The matching solvers' commands (DESIGN §7) read and write JSON files and nothing else: they
# run with no configuration, so that anyone can check them from outside (settings.FILES_ONLY).
FILE_ONLY_COMMANDS = {"assign_reviewers", "allocate_sites"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diana_portal.settings")
    if len(sys.argv) > 1 and sys.argv[1] in FILE_ONLY_COMMANDS:
        os.environ["DIANA_FILES_ONLY"] = "1"
    from django.core.management import execute_from_command_line

    from diana_portal.env import exit_on_config_error

    with exit_on_config_error():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
