"""What the territories module tells the modules above it, which it does not know."""

from django.dispatch import Signal

# Sent inside the import's transaction, once the referential's rows are written (they are
# written in bulk, without a model signal): modules that keep figures derived from the
# referential (a population, a région, a commune's name) recompute them there.
referential_imported = Signal()
