"""Django's Redis cache backend, keeping one client per connection pool.

Django's backend builds a new redis.Redis client for every cache call. The
client is only a thin handle on a shared connection pool, but building one
fills a table of some 170 response callbacks: on this project's machines that
is a third of a millisecond, more than the round trip to Redis itself, paid
on every session read, flood counter and page lookup. A client is safe to
share between threads (each command takes its own connection from the pool),
so one per pool is enough.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
