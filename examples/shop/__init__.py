"""A small FastAPI shop over ``shopdb.AsyncDatabase``: register, log in with a session,
browse and search the catalogue, fill a cart, check out with an Idempotency-Key, pay, list
one's orders. Everything a shopper does goes through ``db.customer(user_id)``, so another
customer's cart or order is a 404, exactly as if it did not exist.

Run it with ``uvicorn --factory examples.shop.app:create_app`` (docs/getting-started.md).
"""

from examples.shop.app import create_app

__all__ = ["create_app"]
