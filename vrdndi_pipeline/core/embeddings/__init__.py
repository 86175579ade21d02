"""Frozen sentence embeddings of video texts and ActivityWatch event texts, computed once.

Stored per (video id, encoder) with the sha256 of the text (``video_embeddings``) and per
(sha256 of the event text, encoder) (``window_title_embeddings``): training, every feed
refresh and the ranker's features read them; only new or changed texts go through the encoder.
"""
