"""Members (红管家), their numbers, and the residents who write in groups."""
