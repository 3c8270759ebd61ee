"""Pure logic: programme model, progression rules, doses, check-in parsing, scheduling maths.

Nothing here performs I/O or imports Telegram, SQLAlchemy or any other part of the project.
"""
