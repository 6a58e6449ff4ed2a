"""Files in: read, normalise, validate and ingest extracts into the store. Never draws."""
