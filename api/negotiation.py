"""Content negotiation: an unknown ``?format=`` is a 400 naming the parameter."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation

from yantai.text import join_list


class StrictContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        matching = [r for r in renderers if r.format == format]
        if not matching:
            raise ValidationError(
                {
                    "format": [
                        _("不支持的格式。可用：%(formats)s。")
                        % {"formats": join_list(r.format for r in renderers)}
                    ]
                }
            )
        return matching
