from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

TOTAL = "_total_rows"


class ApiPagination(PageNumberPagination):
    """?page=2&page_size=200: 50 a page unless asked, at most API_PAGE_SIZE_MAX (DESIGN §9)."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_PAGE_SIZE_MAX


class KnownCountPaginator(Paginator):
    def __init__(self, per_page: int, count: int) -> None:
        super().__init__([], per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached property: given, not queried


class RowsPagination(ApiPagination):
    """The same pages, for the lists of rows (values()), in one query instead of two: the
    total comes with the page's rows (COUNT(*) OVER (), counted before LIMIT), so the
    separate COUNT, which repeated the page's joins, is gone. ?page=last still counts first."""

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        page_size = self.get_page_size(request)
        if page_size is None:  # pagination turned off (PAGE_SIZE None): as DRF does
            return None
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise NotFound(self.invalid_page_message)
        offset = (number - 1) * page_size
        rows = list(queryset.annotate(**{TOTAL: Window(Count("*"))})[offset : offset + page_size])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message)
        count = rows[0][TOTAL] if rows else 0
        for row in rows:
            del row[TOTAL]
        self.page = Page(rows, number, KnownCountPaginator(page_size, count))
        return rows
