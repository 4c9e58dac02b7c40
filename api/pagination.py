from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """?page=2&page_size=200: 50 a page unless asked, at most API_PAGE_SIZE_MAX (DESIGN §9)."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_PAGE_SIZE_MAX
