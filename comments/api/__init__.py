"""The JSON API under /api/v1/ (django-ninja): the conversation for other front ends, the queue for editors' tools."""
