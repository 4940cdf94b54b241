"""Infrastructure the domains stand on: settings, database, clock, errors, strict ids, spreadsheets, masking.

Nothing here imports a domain, a handler or an adapter."""
