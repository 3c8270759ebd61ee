# The bot image: migrations, content and the package; the same image runs `db upgrade` and `run`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CONTENT_DIR=/app/content

WORKDIR /app
RUN useradd --create-home --uid 10001 glutebot

COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --upgrade pip && pip install -e .

COPY alembic.ini ./
COPY migrations ./migrations
COPY content ./content

USER glutebot
ENTRYPOINT ["glutebot"]
CMD ["run"]
