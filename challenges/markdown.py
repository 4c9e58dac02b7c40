"""Markdown for statements and descriptions, rendered then sanitised.

Staff write Markdown; Python-Markdown passes raw HTML through, so every result
goes through nh3 with a short allow-list before it reaches a page. A <script>
(with its content), event handlers, inline styles (the CSP forbids them anyway)
and javascript: links are removed.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    set_tag_attribute_values={"table": {"class": "table table-sm"}},
)


def render_markdown(text: str) -> SafeString:
    """HTML for `text`, safe to put in a page. Headings start at <h3>, because the
    page already has its <h1> and a <h2> per section."""
    html = markdown_lib.markdown(
        text or "",
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={
            "toc": {"baselevel": 3, "anchorlink": False, "permalink": False},
            "extra": {"tables": {"use_align_attribute": True}},
        },
        output_format="html",
    )
    return mark_safe(_cleaner.clean(html))  # noqa: S308 - sanitised by nh3 just above
