"""Alembic's scripts for the pointsbank schema, shipped as a package so that an installed copy
carries them (``api.config.MIGRATIONS_DIR`` finds this folder through importlib.resources)."""
