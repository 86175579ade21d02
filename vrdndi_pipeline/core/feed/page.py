"""The feed's page: how many cards the site shows at a time, and how many of them one channel
may fill. Defined once: the site pages by :data:`PAGE_SIZE`, and the ranking's channel cap
and MMR count per page of that size, so every page the site shows holds at most
:data:`MAX_PER_CHANNEL` videos of a channel (while other channels are left)."""

PAGE_SIZE = 21
"""Cards per page of the feed site; the channel cap and MMR's similarity count per page."""

MAX_PER_CHANNEL = 3
"""The channel cap: videos of one channel on a page of :data:`PAGE_SIZE` cards."""
