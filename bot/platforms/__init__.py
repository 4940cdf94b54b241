"""Platform adapters: one folder per chat platform, the only code that imports its library."""
