"""The WSGI application gunicorn serves.

gunicorn.conf.py preloads it in gunicorn's master, so a bad environment value stops
gunicorn with one line and status 2, instead of every worker failing to boot.
"""

import os

from django.core.wsgi import get_wsgi_application

from diana_portal.env import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diana_portal.settings")
with exit_on_config_error():
    application = get_wsgi_application()
