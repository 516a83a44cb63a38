"""Nightly pipeline: council extracts -> validated DuckDB warehouse -> parquet marts."""
