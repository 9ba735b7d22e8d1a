"""Ingestion with dlt: one source per feed, one place that builds pipelines. Imports no Dagster."""
