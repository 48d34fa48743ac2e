"""Values in and out as files: Excel templates and uploads, CSV, exports of the pages ' tables."""
