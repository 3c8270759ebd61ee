"""Use cases the Telegram handlers call: thin handlers parse the update, a service changes the data."""
