"""Glute drill bot: one progressive glute drill a day for runners, over Telegram."""
