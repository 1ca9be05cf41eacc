"""Essor: the platform of a network of local authorities for the social and solidarity economy."""
