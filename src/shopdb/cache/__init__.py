"""The catalog's read-through cache in Redis (REDIS_URL; docs/caching.md).

``spec`` holds what repositories declare (``CachedRead``, ``Bump``), ``core`` the decisions
without I/O, ``sync`` and ``aio`` the drivers over redis-py. Importing this package imports
no Redis client: only a Database with REDIS_URL set loads a driver.
"""
