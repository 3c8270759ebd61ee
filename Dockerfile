# The bot image: migrations, the package and built-in content; the same image runs `db upgrade` and `run`.
# Dependencies come from requirements.lock, every file checked against its hash (`make lock` refreshes it).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CONTENT_DIR=/app/content

WORKDIR /app
RUN useradd --create-home --uid 10001 glutebot

COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-deps -e .

COPY alembic.ini ./
COPY migrations ./migrations
COPY content ./content

USER glutebot
ENTRYPOINT ["glutebot"]
CMD ["run"]
