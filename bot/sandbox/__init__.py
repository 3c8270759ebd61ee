"""A local Telegram Bot API: the emulator tests and `glutebot sandbox` run the real bot against."""
