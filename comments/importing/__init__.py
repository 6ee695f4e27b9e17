"""Bringing old conversations in: WordPress and Disqus exports, read as a stream and written through the Comment model."""
