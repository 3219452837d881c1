"""The application: ``create_app()`` builds the FastAPI app over one AsyncDatabase.

    uvicorn --factory examples.shop.app:create_app

reads DATABASE_URL & co. (shopdb's Settings) and opens the pool in the app's lifespan.
Tests hand it an AsyncDatabase of their own (``create_app(database=db)``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from examples.shop import errors
from examples.shop.routes import accounts, carts, catalog, orders
from shopdb import AsyncDatabase, Settings


def create_app(
    settings: Settings | None = None, *, database: AsyncDatabase | None = None
) -> FastAPI:
    """The shop. With ``database`` (already open) it uses that one and never closes it;
    otherwise its lifespan opens ``AsyncDatabase(settings or Settings())`` and closes it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if database is not None:
            yield
            return
        async with AsyncDatabase(settings or Settings()) as db:
            app.state.db = db
            yield

    app = FastAPI(title="shopdb example shop", lifespan=lifespan)
    if database is not None:
        app.state.db = database
    errors.install(app)
    for module in (accounts, catalog, carts, orders):
        app.include_router(module.router)

    @app.get("/health", tags=["ops"])
    async def health() -> JSONResponse:
        """The database's health: reachable, latency, the pool's figures (503 when down)."""
        db: AsyncDatabase = app.state.db
        found = await db.health()
        body = {"ok": found.ok, "latency_ms": found.latency_ms, "pool": found.pool}
        return JSONResponse(body, status_code=200 if found.ok else 503)

    return app
