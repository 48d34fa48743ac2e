"""Helpers shared by every domain app: Vietnamese text folding and number formats."""
