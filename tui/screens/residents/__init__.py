"""居民 (F2): the list, a household, the resident form, importing residents."""
