"""The domain stays free of the web framework."""

import subprocess
import sys


def test_importing_ledger_loads_no_flask():
    """Importing every ledger module pulls in neither Flask nor marshmallow nor api."""
    code = (
        "import pkgutil, importlib, sys, ledger\n"
        "for m in pkgutil.iter_modules(ledger.__path__): importlib.import_module('ledger.' + m.name)\n"
        "bad = [n for n in ('flask', 'marshmallow', 'api', 'flask_sqlalchemy') if n in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
