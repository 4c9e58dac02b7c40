"""gunicorn reads this file from the directory it starts in (the project root, /app in the image).

Load the application in the master before forking the workers: a bad environment value
then stops gunicorn with one line and status 2 (diana_portal/wsgi.py), where each worker
would otherwise print a traceback, or be respawned for ever.
"""

preload_app = True
