"""Background generation of the participant kit and the proceedings (django-tasks): the
admin asks for a document (documents.document_request), a worker renders it here, outside
any web request (`essor db_worker` with the database backend)."""

from django_tasks import task

from essor.events import documents


@task()
def generate_document(event_id: int, kind: str) -> str:
    """Render and store one document; returns its status ("pret" or "echec"), or "absent"
    when the event was deleted in the meantime."""
    event = documents.document_event(event_id)
    if event is None:  # deleted since: its documents went with it
        return "absent"
    return documents.document_generate(event, kind).status
