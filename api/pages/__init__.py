"""Pages for people: sign-in by printed card or device key, and each person's pages.

The pages are HTML, outside the JSON API: ``PAGES`` are registered on the app as they are, so
they stay out of /openapi.json; ``BLUEPRINTS`` (the API's) is empty. Each area (the till, the
staff desk, ...) is a package with a blueprint nested in ``views.blp``, so the sign-in, CSRF
check, language and error pages of ``views`` apply to it; its templates live under
``templates/pages/<area>/`` and its English catalogue under its own ``translations/``.
"""

from . import cli, desk, resident, till, views
from . import gatherings as gatherings_area

AREAS: tuple = (resident.blp, desk.blp, till.blp, till.pay_blp, gatherings_area.blp)
for _area in AREAS:
    views.blp.register_blueprint(_area)

BLUEPRINTS = ()
PAGES = (views.blp,)
COMMANDS = (cli.cards,)
