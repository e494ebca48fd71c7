"""Pages for people: sign-in by printed card and the resident's phone page.

The pages are HTML, outside the JSON API: ``PAGES`` are registered on the app as they are, so
they stay out of /openapi.json; ``BLUEPRINTS`` (the API's) is empty.
"""

from . import cli, views

BLUEPRINTS = ()
PAGES = (views.blp,)
COMMANDS = (cli.cards,)
