"""The psycopg_pool internals ShopPool and AsyncShopPool were written for: the fingerprint of
each method they replace, bypass or whose state they read, per API (the two pools of
psycopg_pool have the same internals, but each its own source). core/pool_async.py explains
what the fingerprints guard; tests/core/test_pool_internals.py says which one changed."""

WRITTEN_FOR = "3.3.3"
# sha256 (first 16 hex digits) of inspect.getsource(ConnectionPool.<method>) in psycopg_pool
# WRITTEN_FOR.
UPSTREAM = {
    "getconn": "778325c161bc774e",
    "putconn": "7fdaa8e95e7f4402",
    "_putconn": "990f57f11bf872a8",
    "_get_ready_connection": "99b699260c88e9e6",
    "_getconn_unchecked": "5cddc70ef1154abd",
    "_return_connection": "282265749082a563",
    "_add_to_pool": "81f2d9c7d440d066",
    "_reset_connection": "40069a8211966e7a",
    "_shrink_pool": "69eb26508c4e24ce",
    "_connect": "a592be31ab629db3",
    "_set_connection_expiry_date": "81a5d8ed270f637e",
}
# The same for AsyncConnectionPool.<method>.
ASYNC_UPSTREAM = {
    "getconn": "9ce0f57bc51648f0",
    "putconn": "be880052c5c0a33c",
    "_putconn": "474d294da7fab1f1",
    "_get_ready_connection": "f6b8f1ae0f304a4d",
    "_getconn_unchecked": "55c9edf03c083593",
    "_return_connection": "b6a49e53564dc16f",
    "_add_to_pool": "dc6df9b49c989056",
    "_reset_connection": "2a4934b69c406644",
    "_shrink_pool": "31615eb92f1a87bc",
    "_connect": "203c99224c05ce82",
    "_set_connection_expiry_date": "81a5d8ed270f637e",
}


class PoolFallbackWarning(RuntimeWarning):
    """The installed psycopg_pool is not the one ShopPool's LIFO hand-out was written for."""
