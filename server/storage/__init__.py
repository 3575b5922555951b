"""Storage: SQLAlchemy models, every SQL query, and the content-addressed file store."""
