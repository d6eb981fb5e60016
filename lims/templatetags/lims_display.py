"""How pages show people and master data: ``{{ user|person }}`` (the printed name, never the user name) and
``{{ product|local_name }}`` (the Chinese name for a zh-Hans reader when the record has one)."""

from django import template

from lims.signatures import printed_name

register = template.Library()


@register.filter
def person(user):
    return printed_name(user) if user is not None and hasattr(user, "get_username") else ""
