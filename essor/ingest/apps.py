from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "essor.ingest"
    label = "ingest"
    verbose_name = "Ingestion des documents"
