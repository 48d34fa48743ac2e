"""Pages of this app; each parses input and calls an action or a query."""
