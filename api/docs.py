"""The Redoc bundle, served without the one address it would fetch from another host.

The sidecar's redoc.standalone.js always renders its vendor's logo from the vendor's own
server (no option turns it off). Pages must work offline and ask nothing of another host,
so the bundle is served from here with that image's address replaced by an empty inline one.
"""

import re
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
# The logo's absolute address, whichever host the bundle names.
REMOTE_LOGO = re.compile(rb"https://[^\"'\s]+/logo-mini\.svg")
EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


@cache
def redoc_bundle_bytes() -> bytes:
    path = finders.find(BUNDLE)
    if not isinstance(path, str):
        raise RuntimeError(f"{BUNDLE} is missing: drf-spectacular-sidecar is not installed")
    return REMOTE_LOGO.sub(EMPTY_IMAGE, Path(path).read_bytes())


@require_GET
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(redoc_bundle_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
