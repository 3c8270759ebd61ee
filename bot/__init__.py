"""Glute drill bot: one progressive glute drill a day for runners, over Telegram."""

import os

# PTB 22 returns durations such as `RetryAfter.retry_after` as plain seconds with a deprecation warning
# unless this is set; the code handles `timedelta` (what PTB's next major version returns), so opt in now.
os.environ.setdefault("PTB_TIMEDELTA", "true")
