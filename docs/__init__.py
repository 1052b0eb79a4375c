"""Documentation helpers: `.venv/bin/python -m docs.screenshots`."""
