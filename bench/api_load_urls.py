"""The portal's URLs plus /bench/bare/: a plain Django view answering a fixed JSON list,
the baseline bench/api_load.py compares the API with (same server, same middleware,
no DRF, no database)."""

import json
import os
from pathlib import Path

from django.http import HttpRequest, JsonResponse
from django.urls import path

from diana_portal.urls import handler404, handler500
from diana_portal.urls import urlpatterns as portal_urlpatterns

# One page of the real applications list, saved by the bench before gunicorn starts.
BARE_ROWS = json.loads(Path(os.environ["BENCH_BARE_JSON"]).read_text())


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse(BARE_ROWS, safe=False)


urlpatterns = [path("bench/bare/", bare), *portal_urlpatterns]
__all__ = ["handler404", "handler500", "urlpatterns"]
