"""Template tags of the news app's admin pages."""

from __future__ import annotations

from django import template

from news.inbox import inbox_for

register = template.Library()


@register.inclusion_tag("admin/news/includes/inbox.html", takes_context=True)
def editorial_inbox(context) -> dict:
    """我的工作台 of the signed-in user (nothing for users without news permissions)."""
    return {"boxes": inbox_for(context["request"].user)}
