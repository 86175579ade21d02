"""Content catalogue, computer activity: projects, apps, window titles and web pages.

Native windows are ``(app, title)``; Firefox pages are ``(title, url)``.
"""

from __future__ import annotations

# fmt: off
FIREFOX = "firefox"
FIREFOX_SUFFIX = " — Mozilla Firefox"
WORK_PROJECTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("billing-service", "Code",
     ("invoice.py", "models.py", "test_invoice.py", "api.py", "settings.py", "pyproject.toml",
      "Dockerfile", "README.md")),
    ("feature-store", "jetbrains-pycharm-ce",
     ("materialize.py", "schema.py", "conftest.py", "test_backfill.py", "definitions.py")),
    ("ml-platform", "Code",
     ("train.py", "dataset.py", "config.yaml", "evaluate.py", "serve.py", "Makefile")),
)
SIDE_PROJECT = ("vrdndi", "Code",
                ("model.py", "takeout.py", "assets.py", "feed_page.py", "pyproject.toml",
                 "README.md", "test_scoring.py", "schedules.py"))
STUDY_PROJECT = ("ml-notes", "Code", ("lora_from_scratch.py", "attention.py", "notes.md"))
TERMINAL_TITLES = (
    "~/src/{project}", "nvim {file}", "pytest -q", "git log --oneline", "htop",
    "docker compose logs -f", "git rebase -i main", "ssh deploy@staging-1", "make lint",
)
PR_TITLES = (
    "Fix timezone handling in invoice export", "Add retry with backoff to webhook client",
    "Bump dependencies", "Speed up backfill by batching writes", "Remove dead feature flags",
    "Validate currency codes at the boundary", "Split settings into typed groups",
)
ISSUE_TITLES = (
    "Backfill job times out on large partitions", "Flaky test_invoice_rounding on CI",
    "Sensor cursor resets after restart", "Support PostgreSQL 18", "Docs: explain partitions",
)
GITHUB_PUBLIC = (
    ("dagster-io/dagster", "An orchestration platform for the development, production, and "
     "observation of data assets."),
    ("pola-rs/polars", "Dataframes powered by a multithreaded, vectorized query engine"),
    ("huggingface/peft", "PEFT: State-of-the-art Parameter-Efficient Fine-Tuning."),
    ("sqlalchemy/sqlalchemy", "The Database Toolkit for Python"),
    ("ActivityWatch/activitywatch", "The best free and open-source automated time tracker."),
    ("zauberzeug/nicegui", "Create web-based user interfaces with Python."),
)
SO_QUESTIONS = (
    ("python", "How do I merge two dictionaries in a single expression?", 38987),
    ("python", "Convert UTC datetime string to local datetime", 4770297),
    ("sqlalchemy", "SQLAlchemy: how to do an upsert with the Core API?", 7165998),
    ("python", "What is the difference between __str__ and __repr__?", 1436703),
    ("pandas", "How to iterate over rows in a DataFrame in Pandas", 16476924),
    ("docker", "How to copy files from host to Docker container?", 22907231),
    ("git", "How do I undo the most recent local commits in Git?", 927358),
    ("pytorch", "RuntimeError: CUDA out of memory when fine-tuning", 59129812),
    ("python", "Why is it not possible to pickle a lambda?", 25348532),
)
PYTHON_DOCS = (
    ("zoneinfo", "IANA time zone support"), ("asyncio", "Asynchronous I/O"),
    ("dataclasses", "Data Classes"), ("itertools", "Functions creating iterators for efficient "
                                      "looping"),
    ("functools", "Higher-order functions and operations on callable objects"),
    ("typing", "Support for type hints"), ("datetime", "Basic date and time types"),
    ("logging", "Logging facility for Python"), ("sqlite3", "DB-API 2.0 interface for SQLite "
                                                 "databases"),
)
OTHER_DOCS = (
    ("SQLAlchemy Core — SQLAlchemy 2.1 Documentation",
     "https://docs.sqlalchemy.org/en/21/core/"),
    ("pandas.DataFrame.merge — pandas 3.1.1 documentation",
     "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.merge.html"),
    ("torch.nn.functional.scaled_dot_product_attention — PyTorch 2.13 documentation",
     "https://docs.pytorch.org/docs/stable/generated/"
     "torch.nn.functional.scaled_dot_product_attention.html"),
    ("Assets | Dagster Docs", "https://docs.dagster.io/guides/build/assets"),
    ("Schedules | Dagster Docs", "https://docs.dagster.io/guides/automate/schedules"),
    ("LoRA — PEFT documentation", "https://huggingface.co/docs/peft/developer_guides/lora"),
)
INTERNAL_PAGES = (
    ("Billing Overview - Dashboards - Grafana", "https://grafana.acme-analytics.de/d/billing"),
    ("Issues - billing-service - Sentry", "https://sentry.acme-analytics.de/issues/"),
    ("[BILL-{n}] Invoice PDF shows wrong VAT - Jira",
     "https://acme-analytics.atlassian.net/browse/BILL-{n}"),
    ("Sprint board - Jira", "https://acme-analytics.atlassian.net/jira/software/boards/12"),
    ("Runs | Dagster", "http://localhost:3000/runs"),
    ("Onboarding: local setup - Confluence", "https://acme-analytics.atlassian.net/wiki/x/Ab3"),
)
SEARCHES = (
    "python zoneinfo ambiguous time", "postgres upsert on conflict", "pytest fixture scope",
    "docker compose healthcheck", "lora rank alpha", "sqlite wal busy timeout", "berlin weather",
    "dagster sensor cursor", "rust borrow checker closure", "bvg störung u8",
)
SLACK_TITLES = (
    "#billing-team (Channel) - Acme Analytics - Slack",
    "#ml-platform (Channel) - Acme Analytics - Slack",
    "#random (Channel) - Acme Analytics - Slack",
    "Jonas Weber (DM) - Acme Analytics - Slack", "Aylin Demir (DM) - Acme Analytics - Slack",
    "Threads - Acme Analytics - Slack", "#incidents (Channel) - Acme Analytics - Slack",
)
THUNDERBIRD_TITLES = (
    "Inbox - Unified Folders - Mozilla Thunderbird",
    "Re: Q4 planning - Mozilla Thunderbird", "Your invoice from Hetzner - Mozilla Thunderbird",
    "Write: Re: Urlaubsantrag Dezember - Mozilla Thunderbird",
)
SPOTIFY_TITLES = (
    "Nils Frahm - Says", "Bonobo - Kerala", "Khruangbin - Maria También",
    "坂本龍一 - Merry Christmas Mr. Lawrence", "Tycho - Awake", "Ólafur Arnalds - Saman",
    "הפרויקט של עידן רייכל - ממעמקים", "فيروز - لبيروت", "Spotify Premium",
)
MISC_WINDOWS = (
    ("org.gnome.Nautilus", "Downloads"), ("org.gnome.Nautilus", "src"),
    ("gnome-control-center", "Settings"), ("KeePassXC", "Passwords.kdbx - KeePassXC"),
    ("org.gnome.Calculator", "Calculator"),
)
ARXIV_PAPERS = (
    ("1706.03762", "Attention Is All You Need"),
    ("2106.09685", "LoRA: Low-Rank Adaptation of Large Language Models"),
    ("1908.10084", "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks"),
    ("2305.18290", "Direct Preference Optimization: Your Language Model is Secretly a Reward "
                   "Model"),
    ("2205.14135", "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness"),
    ("2305.14314", "QLoRA: Efficient Finetuning of Quantized LLMs"),
    ("2104.09864", "RoFormer: Enhanced Transformer with Rotary Position Embedding"),
    ("1810.04805", "BERT: Pre-training of Deep Bidirectional Transformers for Language "
                   "Understanding"),
    ("1906.00091", "Deep Learning Recommendation Model for Personalization and Recommendation "
                   "Systems"),
)
NOTEBOOKS = ("train_lora.ipynb", "attention_viz.ipynb", "feed_eval.ipynb")
REDDIT_POSTS = (
    ("MachineLearning", "[D] How do you pick the LoRA rank in practice?"),
    ("MachineLearning", "[R] A survey of parameter-efficient fine-tuning methods"),
    ("Python", "What's a Python feature you wish you had learned earlier?"),
    ("programming", "The hidden cost of microservices, five years later"),
    ("berlin", "Is the U8 ever going to be on time again?"),
    ("chess", "Finally broke 1800 on Lichess after two years!"),
    ("Cooking", "My first attempt at hand-pulled noodles"),
    ("LearnJapanese", "「気になる」と「気にする」の違いは何ですか？"),
    ("hebrew", "How do you pronounce שלום in Modern Hebrew?"),
    ("learn_arabic", "Difference between كتب and كاتب?"),
    ("MechanicalKeyboards", "Finally finished my first build ⌨️✨"),
    ("factorio", "My first megabase after 400 hours"),
    ("germany", "Why is everything closed on Sunday? An explanation for newcomers"),
)
HN_STORIES = (
    "Show HN: I built a local-first YouTube feed", "SQLite is not a toy database",
    "The time zone database is a miracle", "Why we moved off Kubernetes",
)
DISCORD_TITLES = (
    "#general | 🎮 Game Night - Discord", "#ml-papers | Paper Club - Discord",
    "#off-topic | Berlin Pythonistas 🐍 - Discord", "@mara_k - Discord",
    "#雑談 | 日本語 Study Group - Discord", "#factorio | 🎮 Game Night - Discord",
)
GAMES = (
    ("Minecraft* 1.21.4", "Minecraft* 1.21.4 - Multiplayer (3rd-party Server)"),
    ("factorio", "Factorio 2.0.28"),
    ("steam_app_1145350", "Hades II"),
    ("Stardew Valley", "Stardew Valley"),
    ("steam_app_1086940", "Baldur's Gate 3"),
)
STEAM_TITLES = ("Steam", "Friends List", "Special Offers")
MOVIES = (
    "Arrival (2016).mkv - VLC media player", "千と千尋の神隠し (2001).mkv - VLC media player",
    "lecture_07_transformers.mp4 - VLC media player",
    "Lisbon holiday 2025.mp4 - VLC media player",
)
YOUTUBE_SEARCHES = (
    "lora explained", "python descriptors", "ramen from scratch", "caro kann main line",
    "factorio megabase tour", "german adjective endings", "sqlite internals",
)
# fmt: on
