"""The async API behind the sync one's face, so that one test runs against both.

``blocking(adb)`` wraps an AsyncDatabase (or anything it hands out) in a proxy with the sync
API's shape: a call that returns a coroutine runs on an event loop in a background thread and
the caller waits for it; an async context manager becomes a sync one; whatever the async API
hands out (a repository, a transaction, a customer view, a psycopg AsyncConnection) comes back
wrapped too, and plain values (models, pages, lists) come back as they are. ``run_in_transaction``
runs the test's sync function in a worker thread (``asyncio.to_thread``), so the loop is never
blocked and every statement of the function still goes through the async transaction.

Each calling thread has its own contextvars.Context for the tasks it starts: what the async
API keeps per task (which transaction blocks are open: TransactionBypassed) is kept per
calling thread, as the sync API keeps it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import inspect
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


class EventLoopThread:
    """An event loop running in a daemon thread until ``stop()``."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._contexts = threading.local()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` as a task of the loop (in the calling thread's context) and wait."""
        context: contextvars.Context | None = getattr(self._contexts, "context", None)
        if context is None:
            context = self._contexts.context = contextvars.Context()
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def start() -> None:
            task = self.loop.create_task(coro, context=context)
            task.add_done_callback(lambda t: _settle(t, done))

        self.loop.call_soon_threadsafe(start)
        return done.result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


def _settle(task: asyncio.Task[T], done: concurrent.futures.Future[T]) -> None:
    if task.cancelled():
        done.cancel()
    elif (error := task.exception()) is not None:
        done.set_exception(error)
    else:
        done.set_result(task.result())


def _is_async_object(value: object) -> bool:
    kind = type(value)
    return kind.__module__.endswith("_async") or kind.__name__.startswith("Async")


class Blocking:
    """The sync face of one async object (see the module docstring)."""

    __slots__ = ("_loop", "_target")

    def __init__(self, target: Any, loop: EventLoopThread) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_loop", loop)

    @property
    def async_target(self) -> Any:
        """The async object behind the proxy."""
        return self._target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name == "run_in_transaction":
            return self._run_in_transaction
        if callable(value) and not isinstance(value, type):
            return self._call(value)
        return self._wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def __repr__(self) -> str:
        return f"Blocking({self._target!r})"

    def __enter__(self) -> Any:
        if hasattr(self._target, "__aenter__"):
            return self._wrap(self._loop.run(self._target.__aenter__()))
        return self._wrap(self._target.__enter__())

    def __exit__(self, *exc: Any) -> Any:
        if hasattr(self._target, "__aexit__"):
            return self._loop.run(self._target.__aexit__(*exc))
        return self._target.__exit__(*exc)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._target)

    def __len__(self) -> int:
        return len(self._target)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Blocking):
            other = other.async_target
        return bool(self._target == other)

    def __hash__(self) -> int:
        return hash(self._target)

    def _call(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            if inspect.iscoroutine(result):
                result = self._loop.run(result)
            return self._wrap(result)

        return call

    def _wrap(self, value: Any) -> Any:
        if isinstance(value, AbstractAsyncContextManager) or _is_async_object(value):
            return Blocking(value, self._loop)
        return value

    def _run_in_transaction(self, fn: Callable[[Any], T], /, **options: Any) -> T:
        loop = self._loop

        async def in_a_thread(tx: Any) -> T:
            return await asyncio.to_thread(fn, Blocking(tx, loop))

        result: T = loop.run(self._target.run_in_transaction(in_a_thread, **options))
        return result


def blocking(target: Any, loop: EventLoopThread) -> Any:
    """``target`` (an AsyncDatabase, ...) with the sync API's shape."""
    return Blocking(target, loop)


@contextmanager
def event_loop_thread() -> Iterator[EventLoopThread]:
    """A background event loop for the block."""
    thread = EventLoopThread()
    try:
        yield thread
    finally:
        thread.stop()
