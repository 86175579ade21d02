"""The feed's page: how many cards the site shows at a time, and what the channel cap and
diversity count per page. Defined once."""

PAGE_SIZE = 21
