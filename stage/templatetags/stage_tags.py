"""What the judges' pages show of the stage: who is on it now (one small query)."""

from django import template

from stage import queries

register = template.Library()


@register.simple_tag
def on_stage(competition_id: int) -> dict | None:
    return queries.now_on_stage(competition_id)
