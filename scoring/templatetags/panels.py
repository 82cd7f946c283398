"""The panels the signed-in user sits on, for their home page."""

from django import template

from scoring.views import my_seats

register = template.Library()


@register.inclusion_tag("scoring/_my_panels.html", takes_context=True)
def my_panels(context) -> dict:
    request = context["request"]
    return {"seats": list(my_seats(request)), "on_home": True}
