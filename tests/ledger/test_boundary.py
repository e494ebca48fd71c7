"""The domain stays free of the web framework."""

import subprocess
import sys
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


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


def test_alembic_migrates_a_database_named_only_by_url_without_flask(tmp_path):
    """migrations/env.py takes sqlalchemy.url from the Alembic config and never imports Flask."""
    database = tmp_path / "by-url.db"
    code = (
        "import sys, sqlalchemy as sa\n"
        "from alembic import command\n"
        "from alembic.config import Config\n"
        "config = Config()\n"
        f"config.set_main_option('script_location', {str(MIGRATIONS_DIR)!r})\n"
        f"config.set_main_option('sqlalchemy.url', 'sqlite:///{database}')\n"
        "command.upgrade(config, 'head')\n"
        f"print(sorted(sa.inspect(sa.create_engine('sqlite:///{database}')).get_table_names()))\n"
        "print('flask' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    tables, flask_loaded = result.stdout.strip().splitlines()
    assert "'entries'" in tables and "'journal_seals'" in tables
    assert flask_loaded == "False"
