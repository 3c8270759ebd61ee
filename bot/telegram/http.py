"""PTB's Bot API requests over aiohttp's client instead of httpx.

httpcore's pool checks every idle connection (a `getpeername` and a `select` each) on every request, so with
tens of sends in flight the HTTP client cost more CPU than everything else the dispatcher does; aiohttp's
pool hands out an idle connection in constant time and parses responses in C. The wire format is what
Bot API accepts and `HTTPXRequest` would send, as a JSON body rather than a percent-quoted form (cheaper to
encode), multipart when there are files.
"""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput, UploadFileDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.delivery.headroom import Headroom
from bot.metrics import Metrics

JSON_CONTENT = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool; timeouts mean what they mean for `HTTPXRequest`.

    aiohttp has no separate write timeout, so a whole request is also capped at connect + write + read.
    """

    def __init__(
        self,
        *,
        connection_pool_size: int,
        read_timeout: float | None,
        write_timeout: float | None,
        media_write_timeout: float | None,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        metrics: Metrics | None = None,
        headroom: Headroom | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._media_write_timeout = media_write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._metrics = metrics
        self._headroom = headroom or Headroom()
        """A bulk call gives back its slot while it waits for Telegram's answer."""

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}, auto_decompress=True
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data is not None else {}
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        parts = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(part for part in parts if part is not None),
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        started = time.perf_counter()
        try:
            async with (
                self._headroom.awaiting_answer(),
                self._session.request(method, url, timeout=timeout, **_body(request_data, files)) as response,
            ):
                body = await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        if self._metrics is not None:
            api_method = url.rsplit("/", 1)[-1]
            self._metrics.bot_api_call(api_method, time.perf_counter() - started, status=response.status)
        return response.status, body


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None, files: UploadFileDict) -> dict[str, Any]:
    """aiohttp's keyword for the payload: nothing, a JSON object, or a multipart form with the files."""
    if request_data is None:
        return {}
    if not files:
        return {"data": json.dumps(request_data.parameters), "headers": JSON_CONTENT}
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return {"data": form}
