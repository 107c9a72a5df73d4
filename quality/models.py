"""Quality data: indicators, observations and registries (see issue 5)."""
