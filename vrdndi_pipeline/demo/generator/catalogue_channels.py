"""Content catalogue, channels: the subscriptions, channels met through search and autoplay,
YouTube Music artists, advertisers, and the community posts the person viewed."""

from __future__ import annotations

# fmt: off
# (title, handle, topic, style, uploads per 90 days, country). Styles change title case.
SUBSCRIBED_CHANNELS: tuple[tuple[str, str, str, str, int, str | None], ...] = (
    ("Null Pointer Club", "nullpointerclub", "programming", "normal", 24, "US"),
    ("Tidy Tuples", "tidytuples", "programming", "normal", 20, "GB"),
    ("The Rustacean Workshop", "rustaceanworkshop", "programming", "normal", 16, "DE"),
    ("Compiler Cove", "compilercove", "programming", "normal", 10, None),
    ("Data Plumbing", "dataplumbing", "programming", "normal", 12, "NL"),
    ("Gradient Notes", "gradientnotes", "ml", "normal", 20, "US"),
    ("Paper Pilot", "paperpilot", "ml", "normal", 28, "CH"),
    ("Tensor Talks", "tensortalks", "ml", "normal", 12, "IN"),
    ("Kernel Panic Weekly", "kernelpanicweekly", "systems", "normal", 24, "US"),
    ("Packet Garden", "packetgarden", "systems", "lower", 12, "SE"),
    ("Proof by Picture", "proofbypicture", "math", "normal", 12, "GB"),
    ("Infinite Series Club", "infiniteseriesclub", "math", "normal", 10, "US"),
    ("Fermi Estimates", "fermiestimates", "science", "normal", 18, "DE"),
    ("Lab Bench Science", "labbenchscience", "science", "emoji", 16, "GB"),
    ("Night Sky Notes", "nightskynotes", "science", "normal", 8, "AU"),
    ("Footnotes of History", "footnotesofhistory", "history", "normal", 16, "GB"),
    ("Bronze Age Digest", "bronzeagedigest", "history", "normal", 10, "US"),
    ("Pan & Ferment", "panandferment", "cooking", "normal", 24, "US"),
    ("Weeknight Noodles", "weeknightnoodles", "cooking", "lower", 20, "CA"),
    ("Omas Küche", "omaskueche", "cooking_de", "normal", 12, "DE"),
    ("Desk Athlete", "deskathlete", "fitness", "normal", 16, "DE"),
    ("Calisthenics at Home", "calisthenicsathome", "fitness", "caps", 12, "PL"),
    ("PixelPilgrim", "pixelpilgrim", "gaming", "lower", 30, "US"),
    ("CozyCraft Co-op", "cozycraftcoop", "gaming", "emoji", 24, "GB"),
    ("Frame Perfect", "frameperfect", "speedrun", "normal", 16, "US"),
    ("Any% Archive", "anypercentarchive", "speedrun", "normal", 8, None),
    ("lofi station berlin", "lofistationberlin", "lofi", "lower", 12, "DE"),
    ("Nocturne Hall", "nocturnehall", "classical", "normal", 10, "AT"),
    ("Bytewise Daily", "bytewisedaily", "tech_news", "caps", 40, "US"),
    ("The Changelog Minute", "changelogminute", "tech_news", "normal", 20, "US"),
    ("Sketchbook Theatre", "sketchbooktheatre", "comedy", "normal", 16, "GB"),
    ("Office Hours Comedy", "officehourscomedy", "comedy", "emoji", 12, "US"),
    ("Hand Tool Hollow", "handtoolhollow", "woodworking", "normal", 8, "US"),
    ("Sawdust Sunday", "sawdustsunday", "woodworking", "normal", 8, "DE"),
    ("Slow Trains Europe", "slowtrainseurope", "travel", "normal", 10, "AT"),
    ("Backpack & Baguette", "backpackandbaguette", "travel", "lower", 12, "FR"),
    ("Endgame Lab", "endgamelab", "chess", "normal", 20, "NO"),
    ("Blitz Café", "blitzcafe", "chess", "caps", 28, "US"),
    ("Langsam Deutsch", "langsamdeutsch", "german", "normal", 16, "DE"),
    ("Deutsch mit Lena", "deutschmitlena", "german", "normal", 12, "DE"),
    ("Index Fund Idle", "indexfundidle", "finance", "normal", 10, "DE"),
    ("The Money Desk", "themoneydesk", "finance", "caps", 12, "US"),
    ("まったりキッチン", "mattarikitchen", "japanese", "normal", 16, "JP"),
    ("علوم ببساطة", "ulumbibasata", "arabic", "normal", 12, "EG"),
)

# Channels the person does not subscribe to but meets through search, recommendations and autoplay.
OTHER_CHANNELS: tuple[tuple[str, str, str, str, int, str | None], ...] = (
    ("PyData Talks Archive", "pydatatalksarchive", "conf_talks", "normal", 24, None),
    ("Systems Conf Recordings", "systemsconfrecordings", "conf_talks", "normal", 14, None),
    ("Deep Learning Lectures TU", "dllecturestu", "lectures", "normal", 14, "DE"),
    ("Beginner Chess Academy", "beginnerchessacademy", "chess", "normal", 14, "IN"),
    ("Street Food Seoul", "streetfoodseoul", "cooking", "emoji", 14, "KR"),
    ("Astro Explained", "astroexplained", "science", "normal", 14, "US"),
    ("Curious Numbers", "curiousnumbers", "math", "normal", 12, "GB"),
    ("Refactor Radio", "refactorradio", "programming", "normal", 14, "US"),
    ("Embedding Hour", "embeddinghour", "ml", "normal", 12, "GB"),
    ("DRAMA DIGEST", "dramadigest", "clickbait", "caps", 16, "US"),
    ("KingOfPranks", "kingofpranks", "clickbait", "caps", 14, "US"),
    ("Crypto Moon Daily", "cryptomoondaily", "finance_hype", "caps", 14, None),
    ("Hustle Academy", "hustleacademy", "finance_hype", "caps", 12, "AE"),
    ("Satisfying Clips 24/7", "satisfyingclips247", "viral", "normal", 12, None),
    ("Cat Content Central", "catcontentcentral", "viral", "emoji", 10, "US"),
)

# YouTube Music "Topic" channels (auto-generated, one per artist) and their tracks.
MUSIC_ARTISTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Nils Frahm", ("Says", "Ambre", "Hammers", "All Melody", "Sunson")),
    ("Ólafur Arnalds", ("Saman", "Near Light", "re:member", "Only the Winds")),
    ("Nujabes", ("Aruarian Dance", "Feather", "Luv(sic) Part 3", "Reflection Eternal")),
    ("坂本龍一", ("Merry Christmas Mr. Lawrence", "Energy Flow", "aqua")),
)

ADVERTISERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("NordPeak VPN", ("NordPeak VPN — Protect Your Privacy Today", "Why I Use a VPN (30s)")),
    ("Duolearn", ("Learn a language in 5 minutes a day | Duolearn",)),
    ("Grundl Schlafsysteme", ("Besser schlafen – 100 Nächte testen",)),
    ("CloudHost Pro", ("Deploy in seconds. CloudHost Pro", "Your app, everywhere — free tier")),
    ("Bahnreise", ("Mit dem Zug durch Europa – jetzt Sparpreise sichern",)),
)

POST_TEXTS = (
    "New video this Sunday! Vote for the topic 👇", "We hit 100k subscribers, thank you all ❤️",
    "Poll: which paper should I explain next?", "Behind the scenes of today's shoot 🎬",
    "Der neue Kurs startet im Januar!", "次の動画は何がいいですか？",
    "Livestream tonight at 20:00 CET", "Merch restock is live (last time this year)",
    "What should I cook for the 200th episode?", "Answering your questions in the next video",
)
# fmt: on
