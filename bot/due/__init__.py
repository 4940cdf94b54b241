"""What is due at an instant (plan) and sending it (fire): reminders, escalations and digests all come through here."""
