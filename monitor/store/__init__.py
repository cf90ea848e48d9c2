"""Persistence: SQLAlchemy models and the queries of every stage (the only place with SQL)."""
