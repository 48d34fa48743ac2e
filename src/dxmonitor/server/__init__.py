"""The production web server: granian's worker processes in front of Django (see bridge.py)."""
