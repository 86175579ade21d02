"""Write the bundled demo data: a plausible person's computer activity and YouTube history.

The person is a software developer in Europe/Berlin who studies ML in the evenings, plays games,
cooks and watches a lot of YouTube. Everything is relative to the fixed :data:`ANCHOR` (the moment
the data was "exported"); nothing reads the clock, and one ``random.Random`` per part is seeded
from ``--seed``, so the same seed always writes byte-identical files::

    python -m vrdndi_pipeline.demo.generate_demo_data [--out DIR] [--seed N]

Files (formats as the real sources write them):

* ``activitywatch-export.json.gz``: ``GET /api/0/export`` of aw-server, 21 days, three buckets
  (window, AFK, Firefox web), events newest first as aw-server exports them.
* ``aw-categories.json``: the web UI's category rules (the server setting ``classes``).
* ``youtube/*.json``: YouTube Data API v3 resources (subscriptions, channels, uploads playlist
  items, videos, the user's ratings), see ``demo/youtube_snapshot.py``.
* ``takeout/watch-history.json``: Google Takeout "My Activity" JSON, newest first.
* ``MANIFEST.json``: anchor, seed, timezone, counts, and the size and SHA-256 of every file.

The module is long because the content catalogue (channels, titles, apps) is data, not logic;
the functions below it are small and pure (rng in, records out).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import math
import random
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vrdndi_pipeline.demo import (
    AW_CATEGORIES_FILE,
    AW_EXPORT_FILE,
    DEMO_DATA_DIR,
    MANIFEST_FILE,
    TAKEOUT_WATCH_HISTORY_FILE,
    YOUTUBE_DIR,
)

ANCHOR = datetime(2026, 11, 15, tzinfo=UTC)
ANCHOR_MS = int(ANCHOR.timestamp()) * 1000
DEFAULT_SEED = 20261115
HOSTNAME = "demo-laptop"
TIMEZONE = "Europe/Berlin"
AW_DAYS = 21
UPLOAD_DAYS = 90
TAKEOUT_DAYS = 120
SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
MAX_EVENT_MS = 20 * MINUTE
MIN_EVENT_MS = 5 * SECOND
LIKES_TARGET = (140, 160)
DISLIKES_TARGET = (36, 44)
N_ADS, N_POSTS, N_REMOVED, N_MUSIC, N_DELETED = 40, 10, 10, 8, 10

# fmt: off
# ---------------------------------------------------------------------------------------------
# Content catalogue: topics (title templates, slots, durations, affinities) and channels.
# durations: (weight, min_s, max_s) bands; a band below 60 s is a Short.
# watch/like/dislike: how much this person watches, likes and dislikes the topic.
# ---------------------------------------------------------------------------------------------

TOPICS: dict[str, dict[str, Any]] = {
    "programming": dict(
        category="28", lang="en", watch=1.0, like=0.35, dislike=0.01,
        durations=((0.08, 25, 59), (0.72, 300, 1500), (0.12, 1500, 3600), (0.08, 3600, 9000)),
        tags=("programming", "python", "software engineering", "coding", "rust", "tutorial"),
        emoji=("🐍", "🦀", "💻", "🔥"),
        templates=(
            "I Rewrote My {project} in {lang2} (and it was a mistake)",
            "{n} {lang} Features You're Probably Not Using",
            "Why Your {lang} Code Is Slow",
            "{lang} {feature} Explained in {mins} Minutes",
            "Stop Using {antipattern}. Do This Instead",
            "Building a {project} from Scratch in {lang} — Part {part}",
            "The Hidden Cost of {concept}",
            "Refactoring a 10-Year-Old {lang} Codebase",
            "{concept} Is Simpler Than You Think",
            "Live Coding: {project} in {lang}",
            "Code Review: Your {project} Submissions #{part}",
            "What's New in {release}",
            "Debugging a {bug} in Production",
            "{lang} vs {lang2} for a {project}",
        ),
        slots=dict(
            lang=("Python", "Rust", "Go", "TypeScript", "Zig", "C++", "Haskell", "OCaml"),
            lang2=("Rust", "Go", "Zig", "C", "Python"),
            project=("Compiler", "Text Editor", "Web Server", "Database", "Shell", "Game Engine",
                     "Git Clone", "Static Site Generator", "Regex Engine", "Key-Value Store",
                     "Tetris Clone", "HTTP Client"),
            feature=("Generators", "Decorators", "Pattern Matching", "Async/Await", "Descriptors",
                     "Context Managers", "Traits", "Lifetimes", "Dataclasses", "Protocols",
                     "Metaclasses", "Closures"),
            n=("5", "7", "10", "12"), mins=("5", "8", "10", "12", "15"),
            antipattern=("Global Variables", "print() Debugging", "Bare except", "Inheritance",
                         "Mutable Default Arguments", "ORMs for Everything", "Microservices"),
            concept=("Garbage Collection", "Dependency Injection", "the GIL", "Memory Allocation",
                     "Unicode", "Floating Point", "Hash Maps", "Async IO", "Virtual Memory",
                     "Immutability"),
            release=("Python 3.14", "Rust 1.90", "Go 1.25", "TypeScript 6.0", "NumPy 2.4",
                     "Django 6.0", "pandas 3.0"),
            bug=("Memory Leak", "Race Condition", "Deadlock", "Off-by-One Error", "Timezone Bug",
                 "Heisenbug"),
        ),
        sentences=(
            "Today we dig into how this actually works under the hood.",
            "All benchmarks ran on a five-year-old laptop, so your numbers will differ.",
            "This one took way longer to make than I planned.",
            "Thanks to everyone who sent in questions after the last video.",
            "If you spot a bug, leave a comment; I read all of them.",
            "We start with the naive version and make it 40x faster step by step.",
            "The full source code is linked below, MIT licensed.",
            "No frameworks, no magic, just the standard library.",
        ),
    ),
    "ml": dict(
        category="28", lang="en", watch=1.0, like=0.4, dislike=0.01,
        durations=((0.03, 30, 59), (0.75, 600, 2400), (0.22, 2400, 5400)),
        tags=("machine learning", "deep learning", "AI", "paper explained", "transformers", "LLM"),
        emoji=("🤖", "🧠", "📄"),
        templates=(
            "{paper} — paper explained",
            "{paper} | Paper Explained",
            "How {model_thing} Actually Work",
            "Let's Build {model} from Scratch",
            "{technique} Explained Visually",
            "I Trained {model} on {dataset}. Here's What Happened",
            "The Math Behind {technique}",
            "Why {technique} Works (and When It Doesn't)",
            "{conf} {year} Highlights: {n} Papers You Should Read",
            "Fine-Tuning {llm} with {technique2} on a Single GPU",
        ),
        slots=dict(
            paper=("Attention Is All You Need", "LoRA: Low-Rank Adaptation of Large Language Models",
                   "Denoising Diffusion Probabilistic Models", "Direct Preference Optimization",
                   "Mamba: Linear-Time Sequence Modeling", "FlashAttention",
                   "Scaling Laws for Neural Language Models", "Sentence-BERT",
                   "Deep Residual Learning (ResNet)", "Vision Transformers (ViT)",
                   "CLIP: Learning Transferable Visual Models", "QLoRA", "Mixture of Experts",
                   "RoPE: Rotary Position Embedding", "Grokking", "Kolmogorov-Arnold Networks"),
            model=("GPT", "a Transformer", "a Diffusion Model", "a Tokenizer",
                   "a Recommender System", "Word2Vec", "an Autoencoder", "a Tiny LLM"),
            technique=("Backpropagation", "Attention", "LoRA", "Contrastive Learning",
                       "Batch Normalization", "Dropout", "Knowledge Distillation", "Beam Search",
                       "RLHF", "Quantization", "Positional Encodings", "Gradient Checkpointing"),
            technique2=("LoRA", "QLoRA", "DPO", "Adapters"),
            dataset=("My YouTube History", "Shakespeare", "10 Years of Chess Games", "Wikipedia",
                     "My Own Code", "MNIST"),
            conf=("NeurIPS", "ICML", "ICLR", "CVPR"), year=("2025", "2026"), n=("5", "10", "12"),
            llm=("Llama", "Mistral", "a 1B Model", "Qwen", "Gemma"),
            model_thing=("Tokenizers", "Embeddings", "KV Caches", "Speculative Decoders",
                         "Sparse Autoencoders", "Vector Databases"),
        ),
        sentences=(
            "We go through the paper section by section and reproduce the key figure.",
            "I simplified the notation a bit; the original is linked below.",
            "Training ran for about six hours on a single consumer GPU.",
            "The intuition matters more than the equations here, so bear with me.",
            "Corrections from the comments are pinned below.",
            "This is part of the paper reading series, one paper every week.",
        ),
    ),
    "systems": dict(
        category="28", lang="en", watch=0.75, like=0.2, dislike=0.01,
        durations=((0.05, 30, 59), (0.8, 300, 1500), (0.15, 1500, 3600)),
        tags=("linux", "devops", "kubernetes", "homelab", "sysadmin", "networking"),
        emoji=("🐧", "⚙️"),
        templates=(
            "Kubernetes Is Overkill for Your {thing}",
            "{tool} in {mins} Minutes",
            "How {company} Handles {problem}",
            "I Self-Hosted {service} on a Raspberry Pi",
            "{versus}: Which One Should You Use?",
            "Postmortem: The Day {incident}",
            "Linux Kernel {kernel_topic} Deep Dive",
            "My {year} Homelab Tour",
            "Understanding {concept} with eBPF",
            "Why {db} Is Eating the World",
        ),
        slots=dict(
            tool=("Docker", "Kubernetes", "Terraform", "Nix", "Ansible", "Podman", "systemd",
                  "Prometheus", "Grafana", "Caddy", "Nginx", "WireGuard"),
            versus=("Docker vs Podman", "Terraform vs Pulumi", "Nginx vs Caddy", "Nix vs Guix",
                    "WireGuard vs Tailscale", "Docker Compose vs Kubernetes"),
            thing=("Side Project", "Startup", "Blog", "Homelab"), mins=("5", "10", "15", "100"),
            company=("Discord", "Cloudflare", "Stripe", "a Tiny Startup", "Wikipedia"),
            problem=("Backpressure", "Retries", "Clock Skew", "Cache Invalidation",
                     "Leader Election", "Thundering Herds"),
            service=("Nextcloud", "My Own Email", "Home Assistant", "a Git Forge",
                     "a Password Manager", "ActivityWatch"),
            incident=("DNS Broke Everything", "Our Certificates Expired",
                      "a Cron Job Deleted Production", "We Ran Out of Inodes",
                      "BGP Went Sideways"),
            kernel_topic=("Scheduling", "Memory Management", "io_uring", "Networking",
                          "Filesystems"),
            year=("2025", "2026"),
            concept=("TCP Retransmits", "Syscalls", "Page Faults", "Context Switches", "Latency"),
            db=("SQLite", "PostgreSQL", "DuckDB"),
        ),
        sentences=(
            "Config files for everything shown are in the repository below.",
            "Yes, it really was DNS.",
            "Hardware used: a used mini PC, a cheap switch and a lot of patience.",
            "We measure before and after, because guessing is not engineering.",
            "This is not sponsored; I just like the tool.",
        ),
    ),
    "math": dict(
        category="27", lang="en", watch=0.6, like=0.3, dislike=0.01,
        durations=((0.1, 30, 59), (0.85, 600, 1800), (0.05, 1800, 3600)),
        tags=("math", "mathematics", "proof", "visualization", "education"),
        emoji=("📐", "∞"),
        templates=(
            "The {adj} Proof That {fact}",
            "Why {fact}",
            "{concept} — Visualized",
            "What Is {concept}, Really?",
            "The Unsolved Problem of {problem}",
            "A Puzzle About {object} That Stumped Mathematicians for {n} Years",
            "Essence of {field}, Chapter {part}",
        ),
        slots=dict(
            adj=("Most Beautiful", "Simplest", "Strangest", "Cleverest"),
            fact=("There Are Infinitely Many Primes", "√2 Is Irrational", "e^(iπ) = −1",
                  "0.999… = 1", "You Can't Comb a Hairy Ball", "Every Map Needs Only Four Colors"),
            concept=("the Fourier Transform", "Eigenvalues", "Entropy", "Group Theory",
                     "the Central Limit Theorem", "Bayes' Theorem", "Topology", "Complex Numbers",
                     "the Determinant", "Markov Chains", "Gradient Descent"),
            problem=("the Collatz Conjecture", "the Riemann Hypothesis", "Perfect Cuboids",
                     "the Moving Sofa", "Twin Primes"),
            object=("Knots", "Spheres", "Tilings", "Random Walks", "Dice", "Billiard Tables"),
            field=("Linear Algebra", "Calculus", "Probability", "Information Theory"),
            n=("50", "100", "200", "300"),
        ),
        sentences=(
            "No prerequisites beyond high-school algebra.",
            "All animations were made with manim.",
            "Pause and try the puzzle yourself before the solution at the halfway mark.",
            "Thanks to the patrons who voted for this topic.",
            "The proof is short, but the idea behind it is deep.",
        ),
    ),
    "science": dict(
        category="28", lang="en", watch=0.8, like=0.3, dislike=0.01,
        durations=((0.2, 20, 59), (0.8, 300, 1200)),
        tags=("science", "physics", "experiment", "education", "space"),
        emoji=("🔬", "⚛️", "🌌", "🧪"),
        templates=(
            "Why {phenomenon}?",
            "What Happens If {whatif}?",
            "The Physics of {thing}",
            "{discovery} Explained",
            "We Built a {device} in Our Lab",
            "How Do {thing} Actually Work?",
            "The Surprising Science of {thing}",
        ),
        slots=dict(
            phenomenon=("the Sky Is Blue", "Ice Is Slippery", "Glass Is Transparent",
                        "Time Only Goes Forward", "Stars Twinkle",
                        "Spaghetti Breaks into Three Pieces"),
            whatif=("You Fell into a Black Hole", "the Moon Disappeared", "Earth Stopped Spinning",
                    "You Boiled Water on Mars"),
            thing=("Bicycles", "Lasers", "Superconductors", "Rainbows", "Microwaves", "Batteries",
                   "GPS Satellites", "Fusion Reactors", "Coffee Stains", "Boomerangs"),
            discovery=("The Higgs Boson", "Quantum Entanglement", "Gravitational Waves",
                       "Dark Matter", "The Double-Slit Experiment", "CRISPR"),
            device=("Cloud Chamber", "Tesla Coil", "Particle Detector", "Stirling Engine",
                    "Seismometer"),
        ),
        sentences=(
            "Safety note: do not try the high-voltage part at home.",
            "We filmed this at 10,000 frames per second.",
            "Sources and further reading are in the pinned comment.",
            "Huge thanks to the lab that let us borrow their equipment.",
            "The answer is weirder than the textbook version.",
        ),
    ),
    "history": dict(
        category="27", lang="en", watch=0.5, like=0.12, dislike=0.01,
        durations=((0.6, 600, 1800), (0.4, 1800, 5400)),
        tags=("history", "documentary", "europe", "maps", "medieval"),
        emoji=("🏛️", "📜"),
        templates=(
            "The Fall of {empire}",
            "{event}: What Really Happened",
            "A Day in the Life of {person}",
            "Why {place} {did}",
            "The {adj} History of {thing}",
            "{year_hist}: The Year That Changed Europe",
            "How {group} Lived — Explained with Maps",
        ),
        slots=dict(
            empire=("the Western Roman Empire", "the Hanseatic League", "Byzantium",
                    "the Aztec Empire", "the Holy Roman Empire", "the Mongol Empire"),
            event=("The Fall of the Berlin Wall", "The Library of Alexandria",
                   "The Tunguska Event", "The Great Emu War", "The Dancing Plague of 1518",
                   "The Defenestration of Prague"),
            person=("a Roman Legionary", "a Medieval Monk", "a Viking Trader",
                    "an 18th-Century Sailor", "a Prussian Clerk"),
            place=("Berlin", "Venice", "Constantinople", "Prussia"),
            did=("Became a Capital", "Was Built on Water", "Lasted a Thousand Years",
                 "Disappeared from the Map"),
            adj=("Bizarre", "Untold", "Surprisingly Dark", "Complete"),
            thing=("Coffee", "the Printing Press", "Timekeeping", "Salt", "Maps", "Pretzels",
                   "the Postal Service"),
            year_hist=("1848", "1517", "1989", "1618", "1871"),
            group=("Medieval Peasants", "Ancient Egyptians", "Hanseatic Merchants", "the Vikings"),
        ),
        sentences=(
            "Primary sources are listed in the description below.",
            "Maps were drawn by our illustrator over three months.",
            "We tried to separate legend from what the records actually say.",
            "Part two covers the aftermath.",
        ),
    ),
    "cooking": dict(
        category="26", lang="en", watch=0.8, like=0.3, dislike=0.01,
        durations=((0.25, 20, 59), (0.75, 300, 1200)),
        tags=("cooking", "recipe", "food", "easy recipe", "vegetarian", "dinner"),
        emoji=("🍜", "🍳", "🥟", "🌶️"),
        templates=(
            "{dish} — {modifier}",
            "I Made {dish} Every Day for a Week",
            "The Best {dish} I've Ever Made",
            "{mins}-Minute {dish} for Busy Weeknights",
            "How to Make {dish} Like a {pro}",
            "Testing {n} Viral {food} Recipes",
            "Fermenting {ferment} at Home: Week {part}",
            "{ingredient}, {n} Ways",
        ),
        slots=dict(
            dish=("Ramen", "Shakshuka", "Käsespätzle", "Sourdough Bread", "Pad Thai", "Dal",
                  "Focaccia", "Bibimbap", "Risotto", "Schnitzel", "Mapo Tofu", "Falafel",
                  "Lasagna", "Pierogi", "Pho"),
            modifier=("Easy Weeknight Version", "Restaurant Quality at Home", "The Authentic Way",
                      "One-Pan Edition", "Vegan Version"),
            pro=("Chef", "Nonna", "Street Vendor", "Ramen Master"),
            food=("TikTok Pasta", "Air Fryer", "Bread", "Dumpling"),
            ferment=("Kimchi", "Sauerkraut", "Miso", "Hot Sauce", "Kombucha"),
            ingredient=("Eggs", "Potatoes", "Chickpeas", "Cabbage", "Tofu", "Lentils"),
            mins=("10", "15", "20", "30"),
            n=("3", "5", "10", "15", "20"),
        ),
        sentences=(
            "Full recipe with grams and cups is on the website.",
            "Serves two, or one very hungry person.",
            "I used a regular home stove, no special equipment.",
            "Substitutions for vegetarians are in the pinned comment.",
            "The secret is patience with the onions.",
            "Let me know in the comments what I should cook next.",
        ),
    ),
    "cooking_de": dict(
        category="26", lang="de", watch=0.6, like=0.25, dislike=0.01,
        durations=((0.2, 20, 59), (0.8, 300, 1100)),
        tags=("kochen", "rezept", "hausmannskost", "backen", "deutsche küche"),
        emoji=("🥨", "🍲"),
        templates=(
            "{gericht} wie bei Oma – {mod}",
            "{gericht} in {n} Minuten – schnell & einfach",
            "{gericht}: Das Originalrezept",
            "{gericht} – so gelingt es garantiert",
            "Omas Geheimnis für perfekte {gericht}",
        ),
        slots=dict(
            gericht=("Käsespätzle", "Rinderrouladen", "Kartoffelsalat", "Apfelstrudel",
                     "Sauerbraten", "Königsberger Klopse", "Flammkuchen", "Zwiebelkuchen",
                     "Pflaumenkuchen", "Kartoffelpuffer", "Linsensuppe", "Dampfnudeln"),
            mod=("einfach und lecker", "Schritt für Schritt", "mit wenigen Zutaten"),
            n=("15", "20", "30"),
        ),
        sentences=(
            "Heute koche ich ein Rezept aus Omas altem Kochbuch.",
            "Die Zutatenliste findet ihr unten in der Beschreibung.",
            "Das Rezept reicht für vier Personen.",
            "Schreibt mir gerne in die Kommentare, was ich als Nächstes kochen soll.",
            "Guten Appetit!",
        ),
    ),
    "fitness": dict(
        category="17", lang="en", watch=0.35, like=0.08, dislike=0.02,
        durations=((0.3, 20, 59), (0.7, 600, 1800)),
        tags=("workout", "fitness", "mobility", "home workout", "calisthenics"),
        emoji=("💪", "🏋️"),
        templates=(
            "{n}-Minute {workout} (No Equipment)",
            "Fix Your {body} Posture in {n} Days",
            "I Did {n} {exercise} Every Day for 30 Days",
            "The Only {workout} You Need",
            "Desk Worker? Do This {workout} Daily",
            "{exercise} Progressions: From Zero to {goal}",
        ),
        slots=dict(
            workout=("Full Body Workout", "Mobility Routine", "Core Workout", "Stretching Routine",
                     "Kettlebell Workout", "HIIT Session"),
            body=("Neck", "Back", "Shoulder", "Hip"),
            exercise=("Push-Ups", "Pull-Ups", "Squats", "Burpees", "Dead Hangs", "Pistol Squats"),
            goal=("Muscle-Up", "Handstand", "Front Lever", "Full Split"),
            n=("10", "15", "20", "30", "100"),
        ),
        sentences=(
            "Follow along, no equipment needed.",
            "Consult a doctor before starting a new exercise routine.",
            "Do this three times a week and track your progress.",
            "Timestamps for each exercise are below.",
        ),
    ),
    "gaming": dict(
        category="20", lang="en", watch=0.7, like=0.08, dislike=0.02,
        durations=((0.8, 900, 2700), (0.2, 3600, 10800)),
        tags=("gaming", "let's play", "minecraft", "factorio", "co-op", "indie games"),
        emoji=("🎮", "⛏️", "🔥"),
        templates=(
            "{game} Let's Play — Episode {ep}",
            "{game} #{ep}: {episode_title}",
            "we finally beat {boss}",
            "{game} but {twist}",
            "{game} Co-op with Friends | Part {ep}",
            "My {game} Base After {n} Hours",
        ),
        slots=dict(
            game=("Minecraft", "Factorio", "Stardew Valley", "Hades II", "Baldur's Gate 3",
                  "Satisfactory", "Elden Ring", "Terraria", "Outer Wilds",
                  "Hollow Knight: Silksong"),
            episode_title=("The Long Journey Begins", "Building the Mega Base",
                           "Everything Went Wrong", "A New Friend", "Into the Deep Dark",
                           "Automation at Last"),
            boss=("the Ender Dragon in Minecraft", "Malenia in Elden Ring", "Chronos in Hades II",
                  "the Radiance in Hollow Knight", "the Moon Lord in Terraria"),
            twist=("Every Mob Is Faster", "I Can Only Use Trains", "the Floor Is Lava",
                   "Chat Controls My Character", "It's Hardcore Mode"),
            n=("100", "500", "1000"),
        ),
        sentences=(
            "Thanks for watching, see you in the next episode!",
            "Playing on our community server, join via the Discord.",
            "Modpack and seed are in the pinned comment.",
            "This episode was recorded live on stream.",
        ),
    ),
    "speedrun": dict(
        category="20", lang="en", watch=0.5, like=0.1, dislike=0.01,
        durations=((0.1, 20, 59), (0.6, 300, 1800), (0.3, 1800, 5400)),
        tags=("speedrun", "world record", "glitch", "any%", "retro games"),
        emoji=("⏱️", "🏆"),
        templates=(
            "{game} Any% in {time} [World Record]",
            "How This {game} Speedrun Broke the Game",
            "The History of the {game} World Record",
            "{game} {category} Speedrun Explained",
            "Reacting to the New {game} WR ({time})",
            "Why {trick} Changed {game} Speedrunning Forever",
        ),
        slots=dict(
            game=("Super Mario 64", "Celeste", "Portal", "Ocarina of Time", "Minecraft",
                  "Hollow Knight", "Super Metroid", "Half-Life 2"),
            time=("6:41", "12:03", "1:38:22", "24:56", "4:58.3", "17:12"),
            category=("16 Star", "Glitchless", "100%", "All Bosses", "Any%"),
            trick=("the Backwards Long Jump", "a Wrong Warp", "Arbitrary Code Execution",
                   "the Save Warp", "Wall Clipping"),
        ),
        sentences=(
            "Run verified on speedrun.com.",
            "Splits and route notes are linked below.",
            "Frame counts were checked by hand, so blame me for any mistakes.",
            "Massive respect to the runners who found these tricks.",
        ),
    ),
    "lofi": dict(
        category="10", lang="en", watch=0.45, like=0.06, dislike=0.0,
        durations=((0.7, 3600, 10800), (0.3, 1800, 3600)),
        tags=("lofi", "lofi hip hop", "chill beats", "study music", "beats to relax"),
        emoji=("☕", "🎧", "🌧️", "📚"),
        templates=(
            "{mood} lofi mix ☕ beats to {activity} to",
            "chill beats for {gerund} — {season} {year} mix",
            "rainy night in {city} 🌧️ lofi jazz",
            "{mood} coding session 🎧 synthwave / lofi",
            "{mood} in {city} — {hours} hour lofi playlist",
        ),
        slots=dict(
            activity=("study", "relax", "code", "sleep", "focus", "read"),
            gerund=("studying", "relaxing", "coding", "reading"),
            mood=("cozy", "late night", "sunday morning", "rainy", "autumn", "snowy"),
            city=("berlin", "tokyo", "seoul", "kyoto", "amsterdam"),
            season=("autumn", "winter"), year=("2026",), hours=("1", "2", "3"),
        ),
        sentences=(
            "All tracks are free to use in your streams with credit.",
            "Artwork by a friend of the channel.",
            "Put this on, make some tea, and get to work.",
        ),
    ),
    "classical": dict(
        category="10", lang="en", watch=0.3, like=0.05, dislike=0.0,
        durations=((0.5, 300, 900), (0.5, 1800, 7200)),
        tags=("classical music", "piano", "orchestra", "relaxing music"),
        emoji=("🎹", "🎻"),
        templates=(
            "{piece} | {performer}",
            "The Best of {composer}",
            "{piece} (Live at {hall})",
            "{piece} — a listening guide",
        ),
        slots=dict(
            composer=("Bach", "Beethoven", "Chopin", "Debussy", "Satie", "Rachmaninoff",
                      "Clara Schumann", "Arvo Pärt"),
            piece=("Bach: Goldberg Variations", "Beethoven: Moonlight Sonata",
                   "Chopin: Nocturne Op. 9 No. 2", "Debussy: Clair de Lune",
                   "Satie: Gymnopédie No. 1", "Rachmaninoff: Piano Concerto No. 2",
                   "Arvo Pärt: Spiegel im Spiegel", "Bach: Cello Suite No. 1",
                   "Clara Schumann: Piano Trio in G minor"),
            performer=("full orchestra", "solo piano", "string quartet"),
            hall=("the Philharmonie", "Wigmore Hall", "the Elbphilharmonie"),
        ),
        sentences=(
            "Recorded live in concert.",
            "Please support live music in your city.",
            "Score-following version on the second channel.",
        ),
    ),
    "tech_news": dict(
        category="28", lang="en", watch=0.6, like=0.05, dislike=0.06,
        durations=((0.3, 20, 59), (0.7, 300, 900)),
        tags=("tech news", "technology", "linux", "hardware", "review"),
        emoji=("📱", "💥"),
        templates=(
            "{company} Just {news}",
            "This Week in Tech: {headline}",
            "{product} Review: {verdict}",
            "The {product} Is {verdict2}",
            "Tech News: {headline} & More",
        ),
        slots=dict(
            company=("Apple", "Google", "Microsoft", "Nvidia", "Framework", "Valve", "Mozilla",
                     "OpenAI", "Raspberry Pi"),
            news=("Changed Everything", "Killed Another Product", "Announced a New Chip",
                  "Open-Sourced Its Model", "Raised Prices Again"),
            headline=("EU Forces USB-C Everywhere", "New RISC-V Laptops",
                      "Linux Hits 6% Desktop Share", "The AI PC Hype", "Steam Machine Returns"),
            product=("Framework Laptop 16", "Steam Deck 2", "Pixel 11", "Raspberry Pi 6",
                     "MacBook Air M5"),
            verdict=("Almost Perfect", "Not Worth It", "A Surprising Upgrade", "Six Months Later"),
            verdict2=("Finally Here", "a Mess", "Better Than Expected"),
        ),
        sentences=(
            "Links to all the stories are below.",
            "The review unit was provided by the manufacturer, who saw nothing before upload.",
            "Prices are at the time of recording.",
            "What do you think? Let us know below.",
        ),
    ),
    "comedy": dict(
        category="23", lang="en", watch=0.5, like=0.1, dislike=0.03,
        durations=((0.4, 20, 59), (0.6, 120, 600)),
        tags=("comedy", "sketch", "programmer humor", "office", "funny"),
        emoji=("😂", "💀"),
        templates=(
            "When the {role} {situation}",
            "If {things} Were {people}",
            "{role} vs {role2}",
            "Every {meeting} Ever",
            "POV: {pov}",
        ),
        slots=dict(
            role=("Product Manager", "Senior Developer", "Intern", "Scrum Master", "Landlord",
                  "Tech Support"),
            role2=("Junior Developer", "The Client", "HR", "Facility Manager"),
            situation=("Finds a Bug on Friday", "Says “Quick Call”", "Discovers Git Blame",
                       "Asks for an Estimate"),
            things=("Programming Languages", "Linux Distros", "German Bureaucracy Forms",
                    "Web Browsers"),
            people=("Coworkers", "Roommates", "Party Guests"),
            meeting=("Standup Meeting", "Sprint Planning", "Job Interview", "Code Review"),
            pov=("you deployed on a friday", "your code works and you don't know why",
                 "the wifi died during the demo"),
        ),
        sentences=(
            "Written, shot and edited in one weekend.",
            "Any resemblance to your workplace is purely coincidental.",
            "New sketch every other Thursday.",
        ),
    ),
    "woodworking": dict(
        category="26", lang="en", watch=0.3, like=0.08, dislike=0.01,
        durations=((1.0, 900, 2400),),
        tags=("woodworking", "hand tools", "furniture", "joinery", "diy"),
        emoji=("🪚", "🪵"),
        templates=(
            "Building a {furniture} with Hand Tools Only",
            "{joint} Joinery — {level} Tutorial",
            "I Restored a {n}-Year-Old {tool}",
            "Making a {furniture} from {wood}",
            "Shop Tour {year}: {shop}",
        ),
        slots=dict(
            furniture=("Workbench", "Dining Table", "Bookshelf", "Standing Desk",
                       "Cutting Board", "Chess Board", "Shoji Screen"),
            joint=("Dovetail", "Mortise and Tenon", "Finger", "Bridle", "Kanawa Tsugi"),
            level=("Beginner", "Advanced"), tool=("Hand Plane", "Saw", "Chisel Set", "Lathe"),
            wood=("Walnut", "Oak", "Reclaimed Pallets", "Cherry", "Beech"),
            shop=("Small Basement Workshop", "Tiny Apartment Workshop"),
            n=("100", "120", "150"), year=("2026",),
        ),
        sentences=(
            "Plans are available on the website.",
            "No power tools were used in this build.",
            "Finish is three coats of hardwax oil.",
        ),
    ),
    "travel": dict(
        category="19", lang="en", watch=0.3, like=0.06, dislike=0.02,
        durations=((1.0, 600, 1800),),
        tags=("travel", "europe", "train travel", "budget travel", "vlog"),
        emoji=("🚆", "🏔️", "✈️"),
        templates=(
            "{n} Days in {place} on a Budget",
            "Taking the {train} from {a} to {b}",
            "is {place} worth visiting? (honest review)",
            "Hidden Gems of {place}",
            "slow travel vlog: {place} in {season}",
        ),
        slots=dict(
            place=("Lisbon", "the Dolomites", "Kyoto", "Georgia", "Sicily", "Norway", "Tbilisi",
                   "Sarajevo", "the Baltic Coast"),
            train=("Night Train", "Slowest Train in Europe", "Cheapest Train"),
            a=("Berlin", "Vienna", "Paris"), b=("Stockholm", "Zurich", "Milan", "Budapest"),
            season=("autumn", "winter", "spring"), n=("3", "5", "7", "10"),
        ),
        sentences=(
            "All prices are in euros and were paid by us.",
            "Route and booking tips are below.",
            "Filmed on a phone and a small camera, no drone this time.",
        ),
    ),
    "chess": dict(
        category="20", lang="en", watch=0.8, like=0.3, dislike=0.01,
        durations=((0.15, 20, 59), (0.7, 600, 1800), (0.15, 3600, 10800)),
        tags=("chess", "chess openings", "blitz", "endgame", "grandmaster"),
        emoji=("♟️", "♞"),
        templates=(
            "The {opening}: Everything You Need to Know",
            "{player} Plays the Most Brilliant Move of {year}",
            "I Played {n} Games of Blitz. Here's What I Learned",
            "Speedrun to {elo}: Episode {ep}",
            "{n} Endgames Every Player Must Know",
            "Can {player} Beat a {engine}?",
            "Punishing {mistake} in the {opening}",
        ),
        slots=dict(
            opening=("Sicilian Najdorf", "London System", "King's Indian Defense", "Caro-Kann",
                     "Queen's Gambit", "Italian Game", "Stafford Gambit"),
            player=("Magnus Carlsen", "Hikaru Nakamura", "Gukesh", "Hou Yifan",
                    "Alireza Firouzja", "Ju Wenjun"),
            engine=("3000-Rated Bot", "Team of Grandmasters", "Stockfish on One Core"),
            mistake=("Early Queen Moves", "Greedy Pawn Grabs", "Overextension"),
            elo=("2000", "2200", "2400"), n=("5", "10", "100"), year=("2025", "2026"),
        ),
        sentences=(
            "All games analysed with the engine afterwards.",
            "PGN of every game is on the Lichess study linked below.",
            "Pause at each position and find the move yourself.",
            "Play me on Lichess, link below.",
        ),
    ),
    "german": dict(
        category="27", lang="de", watch=0.4, like=0.1, dislike=0.01,
        durations=((0.2, 20, 59), (0.6, 300, 1200), (0.2, 1800, 3600)),
        tags=("learn german", "deutsch lernen", "german grammar", "german language"),
        emoji=("🇩🇪",),
        templates=(
            "Learn German: {grammar} Explained",
            "{n} German Words You'll Use Every Day",
            "Deutsch lernen: {topic} (B1)",
            "Street Interview: {question}",
            "Slow German Podcast #{ep} — {topic}",
            "German Pronunciation: {sound}",
        ),
        slots=dict(
            grammar=("Dativ vs. Akkusativ", "Separable Verbs", "Adjective Endings",
                     "the Konjunktiv II", "Word Order", "Modal Verbs", "Two-Way Prepositions"),
            topic=("Beim Arzt", "Wohnungssuche in Berlin", "Smalltalk im Büro",
                   "Einkaufen auf dem Markt", "Der Behördengang"),
            question=("Was ist dein deutsches Lieblingswort?",
                      "Warum ist am Sonntag alles zu?", "Wie sagt man „Feierabend“ auf Englisch?"),
            sound=("Ü and Ö", "the German R", "CH Sounds"), n=("10", "20", "50", "100"),
        ),
        sentences=(
            "Untertitel auf Deutsch und Englisch.",
            "The worksheet for this lesson is free on our website.",
            "Wir sprechen langsam und deutlich.",
            "Level: A2 to B1.",
        ),
    ),
    "finance": dict(
        category="22", lang="en", watch=0.2, like=0.02, dislike=0.15,
        durations=((0.1, 20, 59), (0.9, 600, 1500)),
        tags=("personal finance", "investing", "ETF", "money", "stocks"),
        emoji=("💶", "📈"),
        templates=(
            "Index Funds vs. {thing}: The Numbers",
            "How I Invest at {age} (ETF Portfolio Update)",
            "{n} Money Mistakes to Avoid in Your {decade}s",
            "Is {asset} a Good Investment in {year}?",
            "Explained: {concept}",
        ),
        slots=dict(
            thing=("Stock Picking", "Real Estate", "Crypto", "Gold"), age=("25", "30", "35"),
            decade=("20", "30"), asset=("Gold", "Bitcoin", "Real Estate", "Bonds",
                                       "Dividend Stocks"),
            concept=("Compound Interest", "Inflation", "the Sparerpauschbetrag", "Bond Yields",
                     "ETF Rebalancing"),
            n=("5", "7", "10"), year=("2026", "2027"),
        ),
        sentences=(
            "This is not financial advice.",
            "All numbers are before taxes and fees.",
            "Spreadsheet template linked below.",
        ),
    ),
    "japanese": dict(
        category="26", lang="ja", watch=0.4, like=0.15, dislike=0.01,
        durations=((0.3, 20, 59), (0.7, 300, 900)),
        tags=("料理", "レシピ", "簡単レシピ", "和食", "一人暮らし"),
        emoji=("🍳", "🍙"),
        templates=(
            "{dish}の作り方｜{mod}",
            "【{tag}】{dish}を作ってみた",
            "簡単{dish}レシピ 🍳 {minutes}分で完成",
            "一人暮らしの{meal}｜{day}",
        ),
        slots=dict(
            dish=("親子丼", "味噌汁", "肉じゃが", "お好み焼き", "唐揚げ", "カレーライス",
                  "鮭の塩焼き", "卵焼き", "たこ焼き", "おにぎり"),
            mod=("基本のレシピ", "プロの技", "失敗しないコツ"), tag=("料理", "簡単", "時短"),
            minutes=("10", "15", "20"), meal=("朝ごはん", "晩ごはん", "お弁当"),
            day=("月曜日", "週末", "雨の日"),
        ),
        sentences=(
            "今日は簡単なレシピを紹介します。",
            "材料は概要欄に書いてあります。",
            "チャンネル登録よろしくお願いします！",
            "コメントで次に作ってほしい料理を教えてください。",
        ),
    ),
    "arabic": dict(
        category="27", lang="ar", watch=0.25, like=0.05, dislike=0.01,
        durations=((0.2, 20, 59), (0.8, 300, 1200)),
        tags=("علوم", "شرح", "فيزياء", "تعليم"),
        emoji=("🔭",),
        templates=(
            "كيف يعمل {thing}؟",
            "لماذا {q}؟ | شرح مبسط",
            "قصة {story}",
            "{n} حقائق مدهشة عن {thing}",
        ),
        slots=dict(
            thing=("الذكاء الاصطناعي", "الثقب الأسود", "الإنترنت", "نظام تحديد المواقع",
                   "الحاسوب الكمومي", "الدماغ البشري"),
            q=("السماء زرقاء", "نحلم أثناء النوم", "يتمدد الكون"),
            story=("الخوارزمي ونشأة الجبر", "ابن الهيثم وعلم البصريات", "بيت الحكمة في بغداد"),
            n=("5", "7", "10"),
        ),
        sentences=(
            "في هذا الفيديو نشرح الفكرة خطوة بخطوة.",
            "المصادر في الوصف.",
            "لا تنسوا الاشتراك في القناة.",
        ),
    ),
    "conf_talks": dict(
        category="28", lang="en", watch=0.5, like=0.35, dislike=0.01,
        durations=((1.0, 1500, 2700),),
        tags=("python", "conference", "talk", "data engineering", "pydata"),
        emoji=(),
        templates=("{talk} — {speaker} | {conf}",),
        slots=dict(
            talk=("Type-Safe Data Pipelines with Dagster", "Profiling Python Like a Pro",
                  "What's New in CPython's JIT", "SQLite in Production: Lessons Learned",
                  "Building Recommenders Without Being Creepy", "Polars vs pandas in 2026",
                  "Property-Based Testing with Hypothesis", "Time Zones Will Hurt You",
                  "Small Models, Big Wins: LoRA in Practice", "Local-First Software"),
            speaker=("Anna Krüger", "Tomás Oliveira", "Priya Raman", "Lukas Becker", "Mei Chen",
                     "Yusuf Demir"),
            conf=("PyCon DE 2025", "EuroPython 2026", "PyData Berlin 2026", "FOSDEM 2026"),
        ),
        sentences=(
            "Recorded at the conference; slides are linked below.",
            "Talk abstract: a practical tour with code you can use tomorrow.",
            "The conference is run by volunteers. Thank you!",
        ),
    ),
    "lectures": dict(
        category="27", lang="en", watch=0.45, like=0.3, dislike=0.01,
        durations=((1.0, 4200, 5700),),
        tags=("lecture", "deep learning", "university", "machine learning course"),
        emoji=(),
        templates=("Lecture {n}: {topic} — Deep Learning (WS 2025/26)",),
        slots=dict(
            n=tuple(str(i) for i in range(1, 15)),
            topic=("Optimization", "Convolutional Networks", "Sequence Models",
                   "Attention and Transformers", "Generative Models", "Self-Supervised Learning",
                   "Efficient Fine-Tuning", "Recommender Systems", "Evaluation and Metrics"),
        ),
        sentences=(
            "Lecture recording from the winter term.",
            "Exercises and slides are on the course page.",
        ),
    ),
    "viral": dict(
        category="24", lang="en", watch=0.3, like=0.02, dislike=0.12,
        durations=((0.5, 15, 59), (0.5, 120, 720)),
        tags=("satisfying", "funny animals", "viral", "oddly satisfying"),
        emoji=("😌", "🐱", "🤯"),
        templates=(
            "cat tries to catch laser pointer for {n} minutes straight",
            "The Most Satisfying {thing} Video 😌",
            "Guy Builds {build} in the Jungle",
            "Dog Reacts to {react}",
        ),
        slots=dict(
            n=("5", "10", "20"), thing=("Pressure Washing", "Soap Cutting", "Restoration",
                                        "Domino"),
            build=("Underground Swimming Pool", "Mud Hut with Heating", "Water Slide"),
            react=("Magic Trick", "Robot Vacuum", "Its Own Reflection"),
        ),
        sentences=("Like and subscribe for more!", "Credit to the original uploader."),
    ),
    "clickbait": dict(
        category="24", lang="en", watch=0.5, like=0.0, dislike=1.0,
        durations=((0.25, 20, 59), (0.75, 600, 1500)),
        tags=("drama", "exposed", "reaction", "news", "shocking"),
        emoji=("😱", "🤯", "🚨"),
        templates=(
            "{creator} IS OVER... (this is bad)",
            "I CAN'T BELIEVE {creator} DID THIS 😱",
            "EXPOSING {creator} (gone wrong)",
            "THE TRUTH ABOUT {topic} NOBODY TELLS YOU",
            "YOU WON'T BELIEVE WHAT HAPPENED AT {event} 🤯",
            "{creator} vs {creator2}: THE DRAMA EXPLAINED",
        ),
        slots=dict(
            creator=("MrTechy", "Jaxon Vlogs", "KingOfPranks", "GlowUpGabi"),
            creator2=("DramaLlama", "TechBro Tim", "Viral Vicky"),
            topic=("SCHOOL", "BIG TECH", "YOUR PHONE", "PROTEIN BARS"),
            event=("VIDCON", "THE MALL", "MY OWN WEDDING"),
        ),
        sentences=(
            "I had to talk about this.",
            "Turn on notifications so you don't miss the next one!!",
            "Sources in the description (trust me).",
        ),
    ),
    "finance_hype": dict(
        category="22", lang="en", watch=0.45, like=0.0, dislike=1.0,
        durations=((0.2, 20, 59), (0.8, 480, 1200)),
        tags=("crypto", "passive income", "side hustle", "bitcoin", "get rich"),
        emoji=("🚀", "💰"),
        templates=(
            "This Coin Will 100x in {year} 🚀",
            "I Made €{amount} in One Week (Passive Income)",
            "QUIT YOUR JOB: {n} Side Hustles That Pay €{amount}/Month",
            "The Market Crash Is COMING — Do This NOW",
            "{coin} to the MOON?! 🚀🚀🚀",
        ),
        slots=dict(
            year=("2026", "2027"), amount=("10,000", "5,000", "50,000"), n=("5", "7", "12"),
            coin=("Bitcoin", "DOGE", "SOL", "This AI Token"),
        ),
        sentences=(
            "Not financial advice!!",
            "Join my private group (link below) for the signals.",
            "Use my referral link for a free bonus.",
        ),
    ),
}

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

STYLE_SUFFIXES = ("!!", "?!", "", "")
CHAPTER_LABELS = (
    "Intro", "Background", "The problem", "First attempt", "What went wrong", "The fix",
    "Deep dive", "Results", "Q&A", "Outro",
)

# Computer activity: native windows are (app, title); Firefox pages are (title, url).
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
POST_TEXTS = (
    "New video this Sunday! Vote for the topic 👇", "We hit 100k subscribers, thank you all ❤️",
    "Poll: which paper should I explain next?", "Behind the scenes of today's shoot 🎬",
    "Der neue Kurs startet im Januar!", "次の動画は何がいいですか？",
    "Livestream tonight at 20:00 CET", "Merch restock is live (last time this year)",
    "What should I cook for the 200th episode?", "Answering your questions in the next video",
)
# fmt: on


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoChannel:
    channel_id: str
    title: str
    handle: str
    topic: str
    style: str
    uploads: int
    country: str | None
    kind: str  # "subscribed", "other", "music" or "advertiser"
    created_ms: int
    publish_hour: float  # usual upload hour, UTC
    taste: float  # how much this person likes this channel beyond its topic

    @property
    def subscribed(self) -> bool:
        return self.kind == "subscribed"

    @property
    def uploads_playlist_id(self) -> str:
        return "UU" + self.channel_id[2:]


@dataclass(frozen=True, slots=True)
class DemoVideo:
    video_id: str
    channel: DemoChannel
    title: str
    description: str
    duration_s: int | None  # None: a live stream (the API says P0D)
    published_ms: int
    tags: tuple[str, ...]
    in_uploads: bool  # in the uploads playlist window (last UPLOAD_DAYS of a subscription)
    definition: str = "hd"
    caption: bool = False
    audio_language: str | None = "en"

    @property
    def is_short(self) -> bool:
        return self.duration_s is not None and self.duration_s < 60


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one activity in the person's day; AFK time is what lies between segments.

    ``phone`` segments are watched on the phone (Takeout sees them, ActivityWatch does not);
    ``break`` segments are short AFK breaks during which the focused window stays on screen.
    """

    kind: str
    start: int
    end: int
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """A part of a YouTube session: a watched video, or a browse page when ``video`` is None."""

    start: int
    end: int
    video: DemoVideo | None
    page: str = "watch"


@dataclass(frozen=True, slots=True)
class Page:
    """A focused window; Firefox pages (``url`` set) also get an aw-watcher-web event."""

    app: str
    title: str
    url: str | None = None
    audible: bool = False


@dataclass(frozen=True, slots=True)
class Catalogue:
    channels: tuple[DemoChannel, ...]
    videos: tuple[DemoVideo, ...]  # every video that exists (published before ANCHOR)
    deleted: tuple[DemoVideo, ...]  # watched once, deleted since: the API does not know them
    user_channel_id: str


@dataclass(frozen=True, slots=True)
class Watch:
    time_ms: int
    video: DemoVideo
    on_phone: bool


# ---------------------------------------------------------------------------------------------
# Small helpers: ids, times, text
# ---------------------------------------------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _rng(seed: int, part: str) -> random.Random:
    """An independent random stream per part, so changing one part leaves the others alone."""
    return random.Random(f"{seed}/{part}")


def _new_id(rng: random.Random, length: int, last: str, taken: set[str], prefix: str = "") -> str:
    """A fresh id; ``last`` holds the characters YouTube's base64 encoding allows at the end."""
    while True:
        value = prefix + "".join(rng.choice(_B64) for _ in range(length - 1)) + rng.choice(last)
        if value not in taken:
            taken.add(value)
            return value


def new_video_id(rng: random.Random, taken: set[str]) -> str:
    return _new_id(rng, 11, "AEIMQUYcgkosw048", taken)


def new_channel_id(rng: random.Random, taken: set[str]) -> str:
    return _new_id(rng, 22, "AQgw", taken, prefix="UC")


def _digest(*parts: str, length: int) -> str:
    raw = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(raw).decode()[:length]


def etag(*parts: str) -> str:
    return _digest("etag", *parts, length=27)


def local_ms(day: date, hours: float, zone: ZoneInfo) -> int:
    """UTC milliseconds of a wall-clock time ``hours`` after local midnight of ``day``."""
    naive = datetime(day.year, day.month, day.day) + timedelta(hours=hours)
    return round(naive.replace(tzinfo=zone).timestamp() * 1000)


def _utc(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def iso_aw(ms: int) -> str:
    """ActivityWatch's timestamp format: microseconds and an explicit offset."""
    return _utc(ms).strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"


def iso_api(ms: int, fraction: bool = False) -> str:
    """YouTube API's ``publishedAt``: whole seconds and ``Z`` (microseconds for subscriptions)."""
    moment = _utc(ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if fraction else "%Y-%m-%dT%H:%M:%SZ")


def iso_takeout(ms: int) -> str:
    """Takeout's ``time``: milliseconds and ``Z``, no fraction when it is zero."""
    moment = _utc(ms)
    millis = ms % 1000
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{millis:03d}Z" if millis else "Z")


def iso_duration(seconds: int | None) -> str:
    """ISO 8601 as YouTube writes it: ``PT12M31S``, ``PT45S``, ``P1DT2H``; ``P0D`` when live."""
    if seconds is None:
        return "P0D"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = "".join(f"{v}{u}" for v, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if v)
    return "P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")


def _fill(template: str, slots: dict[str, Sequence[str]], rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), template)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "video"


def _weighted_keys(
    items: Sequence[Any], weights: Sequence[float], k: int, rng: random.Random
) -> list[Any]:
    """k items sampled without replacement, proportional to weight (Efraimidis–Spirakis)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:k]]


# ---------------------------------------------------------------------------------------------
# The YouTube catalogue: channels and their videos
# ---------------------------------------------------------------------------------------------

COMMON_SLOTS: dict[str, tuple[str, ...]] = {
    "part": tuple(str(i) for i in range(1, 13)),
    "ep": tuple(str(i) for i in range(1, 90)),
    "year": ("2025", "2026"),
    "n": ("3", "5", "7", "10"),
}
CHANNEL_BLURBS = {
    "en": "Videos about {0}, {1} and {2}. New uploads every week.",
    "de": "Videos rund um {0} und {1}. Jede Woche neu.",
    "ja": "{0}と{1}の動画を毎週投稿しています。",
    "ar": "قناة عن {0} و{1}. فيديو جديد كل أسبوع.",
}


def _styled(title: str, style: str, emoji: Sequence[str], rng: random.Random) -> str:
    if style == "lower":
        return title.lower()
    if style == "caps" and rng.random() < 0.7:
        shouty = title.upper()
        return shouty + (rng.choice(STYLE_SUFFIXES) if shouty[-1].isalnum() else "")
    if emoji and rng.random() < (0.7 if style == "emoji" else 0.06):
        return f"{title} {rng.choice(emoji)}"
    return title


_SAME_BOTH_SIDES = re.compile(r"\b(\S+) vs\.? \1\b", re.IGNORECASE)  # "Go vs Go"


def make_title(topic: str, style: str, rng: random.Random, taken: set[str]) -> str:
    spec = TOPICS[topic]
    slots = {**COMMON_SLOTS, **spec["slots"]}
    for _ in range(40):
        title = _styled(_fill(rng.choice(spec["templates"]), slots, rng), style, spec["emoji"], rng)
        if title not in taken and not _SAME_BOTH_SIDES.search(title):
            taken.add(title)
            return title
    title = f"{title} (Part {len(taken) % 7 + 2})"
    taken.add(title)
    return title


def _chapters(duration_s: int, rng: random.Random) -> str:
    count = rng.randint(3, 7)
    marks = sorted(rng.sample(range(30, max(31 + count, duration_s - 30)), count - 1))
    middle = sorted(rng.sample(range(1, len(CHAPTER_LABELS)), count - 1))  # in story order
    labels = [CHAPTER_LABELS[0], *(CHAPTER_LABELS[i] for i in middle)]
    lines = []
    for mark, label in zip([0, *marks], labels, strict=True):
        hours, rest = divmod(mark, 3600)
        clock = (
            f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
            if hours
            else f"{rest // 60}:{rest % 60:02d}"
        )
        lines.append(f"{clock} {label}")
    return "\n".join(lines)


def make_description(
    channel: DemoChannel,
    title: str,
    duration_s: int | None,
    tags: Sequence[str],
    rng: random.Random,
) -> str:
    spec = TOPICS[channel.topic]
    sentences = list(spec["sentences"])
    count = min(len(sentences), rng.choices((1, 2, 3, 4, 5, 6), weights=(3, 4, 3, 2, 1, 1))[0])
    parts = [" ".join(rng.sample(sentences, count))]
    if duration_s and duration_s > 420 and rng.random() < 0.35:
        parts.append(_chapters(duration_s, rng))
    if rng.random() < 0.4:
        links = [
            f"Support the channel: https://www.patreon.com/{channel.handle}",
            f"Discord: https://discord.gg/{_digest(channel.handle, length=8)}",
        ]
        if channel.topic in ("programming", "ml", "systems", "conf_talks"):
            links.append(f"Code: https://github.com/{channel.handle}/{_slug(title)}")
        if channel.topic in ("cooking", "cooking_de"):
            links.append(f"Recipe: https://www.{channel.handle}.com/recipes/{_slug(title)}")
        if channel.topic == "ml":
            links.append(f"Paper: https://arxiv.org/abs/{rng.choice(ARXIV_PAPERS)[0]}")
        parts.append("\n".join(rng.sample(links, rng.randint(1, len(links)))))
    if tags and rng.random() < 0.3:
        parts.append(" ".join("#" + re.sub(r"\W", "", t) for t in tags[:3]))
    return "\n\n".join(parts)


def _duration(topic: str, rng: random.Random) -> int:
    bands = TOPICS[topic]["durations"]
    _, low, high = rng.choices(bands, weights=[b[0] for b in bands])[0]
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def make_video(
    channel: DemoChannel,
    published_ms: int,
    rng: random.Random,
    ids: set[str],
    titles: set[str],
    *,
    in_uploads: bool,
) -> DemoVideo:
    spec = TOPICS[channel.topic]
    duration = _duration(channel.topic, rng)
    tags = tuple(rng.sample(spec["tags"], rng.randint(2, len(spec["tags"]))))
    tags = tags if rng.random() < 0.8 else ()  # the API omits "tags" when there are none
    title = make_title(channel.topic, channel.style, rng, titles)
    language = spec["lang"] if rng.random() < 0.9 else None
    return DemoVideo(
        video_id=new_video_id(rng, ids),
        channel=channel,
        title=title,
        description=make_description(channel, title, duration, tags, rng),
        duration_s=duration,
        published_ms=published_ms,
        tags=tags,
        in_uploads=in_uploads,
        definition="hd" if rng.random() < 0.93 else "sd",
        caption=rng.random() < 0.3,
        audio_language=language,
    )


def make_channels(rng: random.Random, ids: set[str]) -> tuple[DemoChannel, ...]:
    channels = []
    groups = (("subscribed", SUBSCRIBED_CHANNELS), ("other", OTHER_CHANNELS))
    for kind, rows in groups:
        for title, handle, topic, style, uploads, country in rows:
            created_days = rng.randint(400, 6000)
            channels.append(
                DemoChannel(
                    channel_id=new_channel_id(rng, ids),
                    title=title,
                    handle=handle,
                    topic=topic,
                    style=style,
                    uploads=uploads,
                    country=country,
                    kind=kind,
                    created_ms=ANCHOR_MS - created_days * DAY - rng.randint(0, DAY),
                    publish_hour=rng.uniform(9.0, 19.0) if topic != "japanese" else 9.0,
                    taste=rng.uniform(0.6, 1.5),
                )
            )
    for artist, _tracks in MUSIC_ARTISTS:
        channels.append(_plain_channel(f"{artist} - Topic", "music", rng, ids))
    for advertiser, _ads in ADVERTISERS:
        channels.append(_plain_channel(advertiser, "advertiser", rng, ids))
    return tuple(channels)


def _plain_channel(title: str, kind: str, rng: random.Random, ids: set[str]) -> DemoChannel:
    return DemoChannel(
        channel_id=new_channel_id(rng, ids),
        title=title,
        handle=_slug(title).replace("-", ""),
        topic="lofi" if kind == "music" else "viral",
        style="normal",
        uploads=0,
        country=None,
        kind=kind,
        created_ms=ANCHOR_MS - rng.randint(900, 4000) * DAY,
        publish_hour=12.0,
        taste=1.0,
    )


def channel_description(channel: DemoChannel) -> str:
    if channel.kind == "music":
        return ""  # auto-generated Topic channels have no description
    spec = TOPICS[channel.topic]
    return CHANNEL_BLURBS[spec["lang"]].format(*spec["tags"][:3], "", "")


def _upload_times(
    channel: DemoChannel,
    count: int,
    days: tuple[float, float],
    rng: random.Random,
    recent_bias: float,
) -> list[int]:
    low, high = days
    times = []
    for _ in range(count):
        age = low + (high - low) * rng.random() ** recent_bias
        day_start = ANCHOR_MS - math.ceil(age) * DAY
        moment = day_start + round((channel.publish_hour + rng.gauss(0, 1.0)) % 24 * HOUR)
        moment += rng.randint(0, 59_999)
        times.append(min(moment, ANCHOR_MS - rng.randint(20, 600) * MINUTE))
    return sorted(times)


def make_videos(
    channels: Sequence[DemoChannel], rng: random.Random, ids: set[str]
) -> list[DemoVideo]:
    titles: set[str] = set()
    videos: list[DemoVideo] = []
    for channel in channels:
        if channel.kind == "subscribed":
            count = max(3, round(channel.uploads * rng.uniform(0.8, 1.2)))
            for ms in _upload_times(channel, count, (0, UPLOAD_DAYS), rng, 1.5):
                videos.append(make_video(channel, ms, rng, ids, titles, in_uploads=True))
            for ms in _upload_times(channel, rng.randint(4, 8), (UPLOAD_DAYS + 1, 900), rng, 1.3):
                videos.append(make_video(channel, ms, rng, ids, titles, in_uploads=False))
        elif channel.kind == "other":
            for ms in _upload_times(channel, channel.uploads, (3, 1200), rng, 1.8):
                videos.append(make_video(channel, ms, rng, ids, titles, in_uploads=False))
    videos.extend(_special_videos(channels, rng, ids))
    videos.extend(_music_and_ad_videos(channels, rng, ids))
    return videos


def _special_videos(
    channels: Sequence[DemoChannel], rng: random.Random, ids: set[str]
) -> list[DemoVideo]:
    """Live streams (P0D) and day-long VODs (P1DT...), which stretch duration parsing."""
    by_handle = {c.handle: c for c in channels}
    specs = (
        ("lofistationberlin", "lofi hip hop radio 📻 beats to relax/study to", None, 60 * DAY),
        ("blitzcafe", "🔴 LIVE: SATURDAY NIGHT BLITZ WITH VIEWERS", None, 2 * HOUR),
        ("anypercentarchive", "26-Hour Speedrun Marathon for Charity (Full VOD)", 93600, 9 * DAY),
        ("pixelpilgrim", "factorio megabase stream, the whole thing (vod)", 91587, 20 * DAY),
    )
    videos = []
    for handle, title, duration, age_ms in specs:
        channel = by_handle[handle]
        published = ANCHOR_MS - age_ms - rng.randint(0, HOUR)
        text = TOPICS[channel.topic]["sentences"][0]
        videos.append(
            DemoVideo(
                new_video_id(rng, ids),
                channel,
                title,
                text,
                duration,
                published,
                TOPICS[channel.topic]["tags"][:3],
                in_uploads=True,
            )
        )
    return videos


def _music_and_ad_videos(
    channels: Sequence[DemoChannel], rng: random.Random, ids: set[str]
) -> list[DemoVideo]:
    by_title = {c.title: c for c in channels}
    videos = []
    for artist, tracks in MUSIC_ARTISTS:
        channel = by_title[f"{artist} - Topic"]
        for track in tracks:
            year = rng.randint(2004, 2024)
            text = (
                f"Provided to YouTube by {artist} Records\n\n{track} · {artist}\n\n"
                f"℗ {year} {artist}\n\nReleased on: {year}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}\n\nAuto-generated by YouTube."
            )
            published = ANCHOR_MS - rng.randint(400, 3000) * DAY
            videos.append(
                DemoVideo(
                    new_video_id(rng, ids),
                    channel,
                    track,
                    text,
                    rng.randint(150, 420),
                    published,
                    (),
                    in_uploads=False,
                    audio_language=None,
                )
            )
    for advertiser, ads in ADVERTISERS:
        channel = by_title[advertiser]
        for ad in ads:
            published = ANCHOR_MS - rng.randint(30, 300) * DAY
            text = f"{ad}. Mehr Infos unter https://www.{_slug(advertiser).replace('-', '')}.de"
            videos.append(
                DemoVideo(
                    new_video_id(rng, ids),
                    channel,
                    ad,
                    text,
                    rng.choice((15, 20, 30, 45)),
                    published,
                    (),
                    in_uploads=False,
                )
            )
    return videos


def make_deleted_videos(
    channels: Sequence[DemoChannel], rng: random.Random, ids: set[str]
) -> tuple[DemoVideo, ...]:
    """Videos watched months ago and deleted since; only the Takeout file remembers them."""
    subscribed = [c for c in channels if c.subscribed]
    titles: set[str] = set()
    deleted = []
    for _ in range(N_DELETED):
        channel = rng.choice(subscribed)
        published = ANCHOR_MS - rng.randint(200, 700) * DAY
        title = make_title(channel.topic, channel.style, rng, titles)
        deleted.append(
            DemoVideo(
                new_video_id(rng, ids), channel, title, "", 600, published, (), in_uploads=False
            )
        )
    return tuple(deleted)


def make_catalogue(seed: int) -> Catalogue:
    rng = _rng(seed, "catalogue")
    ids: set[str] = set()
    channel_ids: set[str] = set()
    user_channel_id = new_channel_id(rng, channel_ids)
    channels = make_channels(rng, channel_ids)
    videos = make_videos(channels, rng, ids)
    deleted = make_deleted_videos(channels, rng, ids)
    return Catalogue(channels, tuple(videos), deleted, user_channel_id)


# ---------------------------------------------------------------------------------------------
# The person's days: segments of activity in local time, stored as UTC milliseconds
# ---------------------------------------------------------------------------------------------

EVENING_CHOICES = {  # kind: (weight on weekdays, weight on weekends, minutes low, high)
    "youtube": (2.8, 3.2, 25, 60),
    "study": (4.0, 1.0, 50, 110),
    "gaming": (1.6, 3.5, 70, 170),
    "side_project": (0.5, 0.8, 40, 110),
    "reddit": (1.6, 1.6, 5, 20),
    "chat": (0.9, 1.2, 5, 15),
    "movie": (0.05, 0.25, 95, 130),
}
ONCE_PER_DAY = ("study", "gaming", "movie", "side_project")


class DayPlanner:
    """Builds the segments of one local day, appending in time order."""

    def __init__(self, day: date, zone: ZoneInfo, rng: random.Random):
        self.day, self.zone, self.rng = day, zone, rng
        self.segments: list[Segment] = []

    def at(self, hours: float) -> int:
        return local_ms(self.day, hours, self.zone)

    def add(self, kind: str, start_h: float, end_h: float, topic: str | None = None) -> float:
        if end_h - start_h >= 1 / 60:
            self.segments.append(Segment(kind, self.at(start_h), self.at(end_h), topic))
        return end_h

    def study(self, start: float, end: float) -> float:
        """Reading papers and notebooks, with one ML video in the middle."""
        video_at = start + (end - start) * self.rng.uniform(0.3, 0.6)
        video_end = min(end, video_at + self.rng.uniform(0.25, 0.5))
        self.add("study", start, video_at)
        self.add("youtube", video_at, video_end, topic="ml")
        return self.add("study", video_end, end)

    def work(self, start: float, end: float, meetings: Sequence[tuple[float, float]]) -> float:
        """Focused work in chunks, meetings at their times, short AFK breaks between chunks."""
        rng, t = self.rng, start
        pending = sorted(m for m in meetings if start <= m[0] < end)
        while end - t > 0.05:
            meeting = pending[0] if pending else None
            if meeting and t >= meeting[0] - 0.02:
                pending.pop(0)
                t = self.add("meeting", t, min(end, t + meeting[1]))
                continue
            chunk_end = min(end, t + rng.uniform(0.4, 1.4), meeting[0] if meeting else end)
            t = self.add("work", t, chunk_end)
            if end - t < 0.2 or (meeting and meeting[0] - t < 0.2):
                continue
            roll = rng.random()
            if roll < 0.35:
                t = self.add("break", t, t + rng.uniform(3, 12) / 60)
            elif roll < 0.40:
                t = self.add("youtube", t, t + rng.uniform(5, 14) / 60)
            elif roll < 0.52:
                t = self.add("reddit", t, t + rng.uniform(2, 7) / 60)
        return end

    def evening(self, start: float, end: float, weekend: bool, friday: bool) -> float:
        rng, t, done = self.rng, start, set()
        while end - t > 0.1:
            kinds = [k for k in EVENING_CHOICES if k not in done]
            weights = [EVENING_CHOICES[k][1 if weekend else 0] for k in kinds]
            weights = [
                w * (2.5 if friday and k == "gaming" else 1.0)
                for k, w in zip(kinds, weights, strict=True)
            ]
            if self.day.weekday() not in (0, 2, 3):
                weights = [
                    w * (0.3 if k == "study" else 1.0) for k, w in zip(kinds, weights, strict=True)
                ]
            kind = rng.choices(kinds, weights=weights)[0]
            _, _, low, high = EVENING_CHOICES[kind]
            length = min(end - t, rng.uniform(low, high) / 60)
            if kind in ONCE_PER_DAY:
                done.add(kind)
            t = self.study(t, t + length) if kind == "study" else self.add(kind, t, t + length)
            roll = rng.random()
            if roll < 0.18 and end - t > 0.25:
                t = self.add("break", t, t + rng.uniform(3, 12) / 60)
            elif roll < 0.3:
                t += rng.uniform(25, 45) / 60  # kitchen, shower, a call: screen locked
        return end

    def phone(self, start: float, minutes: tuple[float, float], topic: str | None = None) -> None:
        self.add("phone", start, start + self.rng.uniform(*minutes) / 60, topic)


def plan_workday(planner: DayPlanner) -> list[Segment]:
    p, rng, weekday = planner, planner.rng, planner.day.weekday()
    if rng.random() < 0.35:
        start = 7.35 + rng.uniform(0, 0.3)
        p.add("youtube", start, start + rng.uniform(0.15, 0.4), topic="tech_news")
    begin, lunch = 9.0 + rng.gauss(0, 0.2), 12.1 + rng.gauss(0, 0.15)
    back, stop = lunch + rng.uniform(0.7, 1.05), 17.7 + rng.gauss(0, 0.35)
    meetings = [(9.75, 0.25)]
    meetings += {0: [(14.0, 1.0)], 2: [(11.0, 0.75)], 3: [(15.5, 0.5)]}.get(weekday, [])
    if rng.random() < 0.3:
        meetings.append((rng.uniform(13.6, 16.4), rng.choice((0.25, 0.5, 0.75))))
    p.work(begin, lunch, meetings)
    roll = rng.random()
    if roll < 0.35:
        p.phone(lunch + 0.15, (10, 25), topic="cooking")
    elif roll < 0.55:
        p.add("youtube", lunch + 0.1, lunch + 0.1 + rng.uniform(0.25, 0.45))
    p.work(back, stop, meetings)
    evening = 19.0 + rng.uniform(0, 0.6)
    if rng.random() < 0.3:
        p.phone(stop + 0.3, (8, 20), topic="cooking")
    bed = 23.3 + rng.gauss(0, 0.35) + (0.8 if weekday == 4 else 0.0)
    p.evening(evening, bed, weekend=False, friday=weekday == 4)
    if rng.random() < 0.4:
        p.phone(bed + 0.1, (10, 30))
    return p.segments


def plan_weekend_day(planner: DayPlanner) -> list[Segment]:
    p, rng, saturday = planner, planner.rng, planner.day.weekday() == 5
    morning = 10.0 + rng.uniform(0, 0.6)
    p.evening(morning, 12.4 + rng.uniform(0, 0.5), weekend=True, friday=False)
    t = 13.6 + rng.uniform(0, 0.5)
    if rng.random() < (0.7 if saturday else 0.45):
        t = p.add("side_project", t, t + rng.uniform(1.5, 3.0)) + 0.2
        if rng.random() < 0.5:
            t = p.add("youtube", t, t + rng.uniform(0.3, 0.7))
    elif rng.random() < 0.5:
        t = p.add("youtube", t, t + rng.uniform(0.5, 1.5))
    if rng.random() < 0.4:
        p.phone(max(17.8, t + 0.2), (10, 25), topic="cooking")
    bed = 24.4 + rng.gauss(0, 0.4) - (0.6 if not saturday else 0.0)
    p.evening(19.0 + rng.uniform(0, 0.5), bed, weekend=True, friday=False)
    if rng.random() < 0.35:
        p.phone(bed + 0.1, (10, 30))
    return p.segments


def plan_days(start_ms: int, end_ms: int, seed: int) -> list[Segment]:
    """Every segment of the person's life between two moments, in time order."""
    zone, rng = ZoneInfo(TIMEZONE), _rng(seed, "plan")
    first = _utc(start_ms).astimezone(zone).date() - timedelta(days=1)
    last = _utc(end_ms).astimezone(zone).date()
    segments: list[Segment] = []
    day = first
    while day <= last:
        planner = DayPlanner(day, zone, rng)
        day_off = day.weekday() < 5 and rng.random() < 0.04
        segments += (
            plan_weekend_day(planner) if day.weekday() >= 5 or day_off else plan_workday(planner)
        )
        day += timedelta(days=1)
    return _without_overlaps(
        Segment(s.kind, max(s.start, start_ms), min(s.end, end_ms), s.topic)
        for s in segments
        if s.end > start_ms and s.start < end_ms
    )


def _without_overlaps(segments: Iterable[Segment]) -> list[Segment]:
    """Segments in time order; a laptop segment starting before the previous one ended is
    trimmed (the plan's times are soft), phone segments may overlap anything."""
    kept: list[Segment] = []
    laptop_end = 0
    for s in sorted(segments, key=lambda s: s.start):
        if s.kind != "phone" and s.start < laptop_end:
            s = Segment(s.kind, laptop_end, s.end, s.topic)
        if s.end - s.start >= MINUTE:
            kept.append(s)
            laptop_end = s.end if s.kind != "phone" else laptop_end
    return kept


# ---------------------------------------------------------------------------------------------
# What the person watches
# ---------------------------------------------------------------------------------------------

REWATCH_TOPICS = ("lofi", "classical", "music", "cooking", "programming")


def watch_weight(video: DemoVideo) -> float:
    """How likely this person is to open the video, all else equal."""
    weight = TOPICS[video.channel.topic]["watch"] * video.channel.taste
    weight *= 1.0 if video.channel.subscribed else 0.35
    weight *= 0.25 if video.duration_s is None else (0.6 if video.is_short else 1.0)
    return weight


@dataclass(frozen=True, slots=True)
class _Pool:
    """Videos in publication order with cumulative weights, for picking what existed at a time."""

    videos: tuple[DemoVideo, ...]
    times: tuple[int, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, videos: Iterable[DemoVideo]) -> _Pool:
        ordered = sorted(videos, key=lambda v: (v.published_ms, v.video_id))
        weights = accumulate(watch_weight(v) for v in ordered)
        return cls(tuple(ordered), tuple(v.published_ms for v in ordered), tuple(weights))

    def pick(self, rng: random.Random, until: int, since: int | None = None) -> DemoVideo | None:
        high = bisect_right(self.times, until)
        low = bisect_right(self.times, since) if since is not None else 0
        if high <= low:
            return None
        base = self.cumulative[low - 1] if low else 0.0
        target = base + rng.random() * (self.cumulative[high - 1] - base)
        return self.videos[min(bisect_right(self.cumulative, target, low, high), high - 1)]


class VideoPicker:
    """Chooses the next video: a new upload from the subscriptions feed, an older video met
    through search or recommendations, or a rewatch. Remembers what was watched."""

    def __init__(self, videos: Sequence[DemoVideo], rng: random.Random):
        watchable = [v for v in videos if v.channel.kind in ("subscribed", "other")]
        self.rng = rng
        self.everything = _Pool.of(watchable)
        self.feed = _Pool.of(v for v in watchable if v.in_uploads)
        topics = sorted({v.channel.topic for v in watchable})
        self.by_topic = {t: _Pool.of(v for v in watchable if v.channel.topic == t) for t in topics}
        self.history: list[DemoVideo] = []
        self.last_seen: dict[str, int] = {}

    def pick(self, at: int, topic: str | None = None) -> DemoVideo | None:
        rng, video, rewatch = self.rng, None, False
        for _ in range(6):
            roll = rng.random()
            rewatch = topic is None and roll < 0.07 and bool(self.history)
            if topic is not None:
                video = self.by_topic[topic].pick(rng, at)
            elif rewatch:
                weights = [4.0 if v.channel.topic in REWATCH_TOPICS else 1.0 for v in self.history]
                video = rng.choices(self.history, weights=weights)[0]
            elif roll < 0.6:
                video = self.feed.pick(rng, at, since=at - 4 * DAY) or self.everything.pick(rng, at)
            else:
                video = self.everything.pick(rng, at)
            if video is not None and (
                rewatch or at - self.last_seen.get(video.video_id, -DAY * 9) > 3 * DAY
            ):
                break
        if video is not None:
            if video.video_id not in self.last_seen:
                self.history.append(video)
            self.last_seen[video.video_id] = at
        return video


BROWSE_PAGES = ("home", "home", "subscriptions", "search", "watch_later")


def watch_session(segment: Segment, picker: VideoPicker, rng: random.Random) -> list[Slot]:
    """The videos (and, on the laptop, the YouTube pages between them) of one session."""
    on_phone, slots, t = segment.kind == "phone", [], segment.start
    if not on_phone:
        t = _browse(slots, t, segment.end, rng.choice(("home", "subscriptions")), rng)
    while segment.end - t > 45 * SECOND:
        video = picker.pick(t, segment.topic)
        if video is None:
            break
        seconds = video.duration_s or rng.randint(20 * 60, 90 * 60)
        if video.duration_s and not video.is_short and rng.random() > 0.45:
            seconds = max(30, round(seconds * rng.uniform(0.2, 0.95)))
        end = min(segment.end, t + seconds * SECOND + rng.randint(0, 999))
        slots.append(Slot(t, end, video))
        t = end
        if not on_phone and segment.end - t > 30 * SECOND and rng.random() < 0.3:
            t = _browse(slots, t, segment.end, rng.choice(BROWSE_PAGES), rng)
    return slots


def _browse(slots: list[Slot], start: int, end: int, page: str, rng: random.Random) -> int:
    stop = min(end, start + rng.randint(6_000, 40_000))
    slots.append(Slot(start, stop, None, page))
    return stop


def watch_sessions(
    segments: Sequence[Segment], catalogue: Catalogue, seed: int
) -> dict[int, list[Slot]]:
    """Slots of every YouTube session, by segment index, picked in time order."""
    picker, rng = VideoPicker(catalogue.videos, _rng(seed, "watch")), _rng(seed, "sessions")
    return {
        i: watch_session(s, picker, rng)
        for i, s in enumerate(segments)
        if s.kind in ("youtube", "phone")
    }


def watches_of(segments: Sequence[Segment], sessions: dict[int, list[Slot]]) -> list[Watch]:
    return [
        Watch(slot.start, slot.video, segments[i].kind == "phone")
        for i, slots in sessions.items()
        for slot in slots
        if slot.video is not None
    ]


# ---------------------------------------------------------------------------------------------
# ActivityWatch: windows the person focuses, rendered from the segments
# ---------------------------------------------------------------------------------------------

Builder = Callable[[random.Random], Page]
Mix = tuple[tuple[float, float, float, Builder], ...]  # (weight, median s, sigma, page builder)


def ff(title: str, url: str, audible: bool = False) -> Page:
    return Page(FIREFOX, title, url, audible)


def editor(project: tuple[str, str, tuple[str, ...]]) -> Builder:
    name, app, files = project

    state = {"file": files[0], "dirty": False}

    def build(rng: random.Random) -> Page:
        # Mostly the same file; VS Code marks unsaved edits with "●", and every save changes
        # the title back, which is why real editor events are short.
        if rng.random() < 0.3:
            state["file"] = rng.choice(files)
        state["dirty"] = rng.random() < 0.5
        if app == "Code":
            dirty = "● " if state["dirty"] else ""
            return Page(app, f"{dirty}{state['file']} - {name} - Visual Studio Code")
        return Page(app, f"{name} – {state['file']}")

    return build


def terminal(project: tuple[str, str, tuple[str, ...]]) -> Builder:
    name, _, files = project

    def build(rng: random.Random) -> Page:
        if rng.random() < 0.25:
            return Page("Gnome-terminal", f"demo@{HOSTNAME}: ~/src/{name}")
        return Page(
            "Alacritty", rng.choice(TERMINAL_TITLES).format(project=name, file=rng.choice(files))
        )

    return build


def github_page(owner_repo: str) -> Builder:
    def build(rng: random.Random) -> Page:
        number = rng.randint(40, 900)
        kind = rng.choice(("pull", "issues", "actions"))
        if kind == "pull":
            title = f"{rng.choice(PR_TITLES)} by {rng.choice(('jweber', 'aylind', 'demo-dev'))} · Pull Request #{number} · {owner_repo} · GitHub"
            return ff(title, f"https://github.com/{owner_repo}/pull/{number}")
        if kind == "issues":
            title = f"{rng.choice(ISSUE_TITLES)} · Issue #{number} · {owner_repo} · GitHub"
            return ff(title, f"https://github.com/{owner_repo}/issues/{number}")
        return ff(
            f"Workflow runs · {owner_repo} · GitHub", f"https://github.com/{owner_repo}/actions"
        )

    return build


def public_repo(rng: random.Random) -> Page:
    repo, about = rng.choice(GITHUB_PUBLIC)
    return ff(f"GitHub - {repo}: {about}", f"https://github.com/{repo}")


def stack_overflow(rng: random.Random) -> Page:
    tag, question, number = rng.choice(SO_QUESTIONS)
    return ff(
        f"{tag} - {question} - Stack Overflow",
        f"https://stackoverflow.com/questions/{number}/{_slug(question)}",
    )


def docs_page(rng: random.Random) -> Page:
    if rng.random() < 0.5:
        module, about = rng.choice(PYTHON_DOCS)
        return ff(
            f"{module} — {about} — Python 3.11.14 documentation",
            f"https://docs.python.org/3.11/library/{module}.html",
        )
    return ff(*rng.choice(OTHER_DOCS))


def internal_page(rng: random.Random) -> Page:
    title, url = rng.choice(INTERNAL_PAGES)
    number = str(rng.randint(1200, 1900))
    return ff(title.replace("{n}", number), url.replace("{n}", number))


def google_search(rng: random.Random) -> Page:
    query = rng.choice(SEARCHES)
    return ff(
        f"{query} - Google Search", "https://www.google.com/search?q=" + query.replace(" ", "+")
    )


def side_web(rng: random.Random) -> Page:
    roll = rng.random()
    if roll < 0.25:
        return public_repo(rng)
    if roll < 0.45:
        return ff(
            *rng.choice(
                (
                    ("Assets | Dagster", "http://localhost:3000/assets"),
                    ("Runs | Dagster", "http://localhost:3000/runs"),
                    ("peft · PyPI", "https://pypi.org/project/peft/"),
                    ("ui.table | NiceGUI", "https://nicegui.io/documentation/table"),
                )
            )
        )
    if roll < 0.6:
        return github_page("demo-dev/vrdndi")(rng)
    return docs_page(rng) if roll < 0.8 else stack_overflow(rng)


def arxiv_page(rng: random.Random) -> Page:
    number, title = rng.choice(ARXIV_PAPERS)
    if rng.random() < 0.3:
        return ff(f"{number}v2.pdf", f"https://arxiv.org/pdf/{number}v2")
    return ff(f"[{number}] {title}", f"https://arxiv.org/abs/{number}")


def reddit_page(rng: random.Random) -> Page:
    sub, post = rng.choice(REDDIT_POSTS)
    roll = rng.random()
    if roll < 0.15:
        return ff("Reddit - The heart of the internet", "https://www.reddit.com/")
    if roll < 0.35:
        return ff(f"r/{sub}", f"https://www.reddit.com/r/{sub}/")
    post_id = _digest(sub, post, length=7).lower().replace("-", "x").replace("_", "y")
    return ff(
        f"{post} : r/{sub}", f"https://www.reddit.com/r/{sub}/comments/{post_id}/{_slug(post)}/"
    )


def hacker_news(rng: random.Random) -> Page:
    if rng.random() < 0.4:
        return ff("Hacker News", "https://news.ycombinator.com/")
    story = rng.choice(HN_STORIES)
    return ff(
        f"{story} | Hacker News",
        f"https://news.ycombinator.com/item?id={45_000_000 + HN_STORIES.index(story) * 7919}",
    )


def native(app: str, titles: Sequence[str]) -> Builder:
    return lambda rng: Page(app, rng.choice(titles))


def misc_window(rng: random.Random) -> Page:
    return Page(*rng.choice(MISC_WINDOWS))


def work_mix(project: tuple[str, str, tuple[str, ...]]) -> Mix:
    repo = f"acme-analytics/{project[0]}"
    return (
        (0.36, 14, 1.0, editor(project)),
        (0.17, 8, 0.9, terminal(project)),
        (0.08, 15, 1.0, github_page(repo)),
        (0.06, 20, 1.0, stack_overflow),
        (0.06, 20, 1.0, docs_page),
        (0.05, 15, 1.0, internal_page),
        (0.10, 8, 0.9, native("Slack", SLACK_TITLES)),
        (0.04, 15, 0.8, native("thunderbird", THUNDERBIRD_TITLES)),
        (0.04, 8, 0.6, google_search),
        (0.02, 5, 0.4, native("Spotify", SPOTIFY_TITLES)),
        (0.02, 8, 0.6, misc_window),
    )


def meeting_mix(project: tuple[str, str, tuple[str, ...]]) -> Mix:
    return (
        (0.85, 300, 0.7, native("zoom", ("Zoom Meeting", "Zoom Workplace"))),
        (0.10, 15, 0.7, native("Slack", SLACK_TITLES)),
        (0.05, 20, 0.8, github_page(f"acme-analytics/{project[0]}")),
    )


def study_mix() -> Mix:
    return (
        (0.27, 45, 0.9, arxiv_page),
        (0.18, 80, 0.9, lambda rng: Page("Evince", f"{rng.choice(ARXIV_PAPERS)[0]}v2.pdf")),
        (
            0.18,
            120,
            1.0,
            lambda rng: ff(
                f"{rng.choice(NOTEBOOKS)} - JupyterLab",
                "http://localhost:8888/lab/tree/" + rng.choice(NOTEBOOKS),
            ),
        ),
        (
            0.10,
            60,
            0.8,
            native(
                "obsidian",
                (
                    "LoRA notes - ml-notes - Obsidian v1.9.10",
                    "Reading list - ml-notes - Obsidian v1.9.10",
                ),
            ),
        ),
        (0.12, 60, 1.0, editor(STUDY_PROJECT)),
        (0.05, 12, 0.6, google_search),
        (0.03, 6, 0.4, native("Spotify", SPOTIFY_TITLES)),
        (0.05, 15, 0.7, native("discord", DISCORD_TITLES)),
    )


def side_project_mix() -> Mix:
    return (
        (0.40, 20, 1.0, editor(SIDE_PROJECT)),
        (0.18, 10, 1.0, terminal(SIDE_PROJECT)),
        (0.25, 20, 1.0, side_web),
        (0.04, 6, 0.4, native("Spotify", SPOTIFY_TITLES)),
        (0.08, 15, 0.7, native("discord", DISCORD_TITLES)),
        (0.05, 10, 0.6, google_search),
    )


def gaming_mix(game: tuple[str, str]) -> Mix:
    return (
        (0.65, 600, 0.6, lambda rng: Page(*game)),
        (0.20, 20, 0.8, native("discord", DISCORD_TITLES)),
        (0.10, 40, 0.7, native("steam", STEAM_TITLES)),
        (0.05, 6, 0.4, native("Spotify", SPOTIFY_TITLES)),
    )


LEISURE_MIXES: dict[str, Mix] = {
    "reddit": (
        (0.75, 40, 0.9, reddit_page),
        (0.15, 40, 0.9, hacker_news),
        (0.10, 15, 0.7, native("discord", DISCORD_TITLES)),
    ),
    "chat": (
        (0.7, 30, 0.8, native("discord", DISCORD_TITLES)),
        (0.2, 40, 0.9, reddit_page),
        (0.1, 6, 0.4, native("Spotify", SPOTIFY_TITLES)),
    ),
}


class Timeline:
    """Window events as aw-watcher-window records them, plus the AFK and active spans."""

    def __init__(self) -> None:
        self.window: list[list[Any]] = []  # [start, end, Page], in time order
        self.afk: list[tuple[int, int]] = []
        self.active: list[tuple[int, int]] = []

    def emit(self, start: int, end: int, page: Page) -> None:
        """Append an event; the same window continuing merges, as heartbeats do, up to 20 min."""
        last = self.window[-1] if self.window else None
        if (
            last is not None
            and last[1] == start
            and last[2] == page
            and end - last[0] <= MAX_EVENT_MS
        ):
            last[1] = end
            return
        pieces = math.ceil((end - start) / MAX_EVENT_MS)
        bounds = [start + (end - start) * i // pieces for i in range(pieces + 1)]
        self.window.extend([a, b, page] for a, b in zip(bounds, bounds[1:], strict=False))

    def mixture(self, start: int, end: int, mix: Mix, rng: random.Random) -> None:
        weights = [m[0] for m in mix]
        t = start
        while end - t >= MIN_EVENT_MS:
            _, median, sigma, build = rng.choices(mix, weights=weights)[0]
            seconds = min(max(rng.lognormvariate(math.log(median), sigma), 5.0), 1200.0)
            length = round(seconds * SECOND) + rng.randint(0, 999)
            if end - (t + length) < MIN_EVENT_MS:
                length = end - t
            self.emit(t, t + length, build(rng))
            t += length
        if t < end:
            self.window[-1][1] = end


def render_segment(
    tl: Timeline, segment: Segment, slots: Sequence[Slot], state: dict[str, Any], rng: random.Random
) -> None:
    kind, start, end = segment.kind, segment.start, segment.end
    tl.active.append((start, end))
    if kind == "work":
        tl.mixture(start, end, work_mix(state["project"]), rng)
    elif kind == "meeting":
        tl.mixture(start, end, meeting_mix(state["project"]), rng)
    elif kind == "study":
        tl.mixture(start, end, study_mix(), rng)
    elif kind == "side_project":
        tl.mixture(start, end, side_project_mix(), rng)
    elif kind == "gaming":
        tl.mixture(start, end, gaming_mix(rng.choice(GAMES)), rng)
    elif kind in LEISURE_MIXES:
        tl.mixture(start, end, LEISURE_MIXES[kind], rng)
    elif kind == "youtube":
        render_youtube(tl, segment, slots, rng)
    elif kind == "movie":
        tl.emit(start, end, Page("vlc", rng.choice(MOVIES)))
        middle = start + (end - start) // 2  # paused once: the only input during the film
        tl.afk += [(start + 3 * MINUTE, middle), (middle + 5 * MINUTE, end - MINUTE)]
    elif kind == "break":
        last = tl.window[-1] if tl.window else None
        if last is not None and last[1] == start:  # the screen stays on the last window
            tl.emit(start, end, last[2])
        tl.afk.append((start, end))


def youtube_page(slot: Slot, prefix: str, rng: random.Random) -> Page:
    video = slot.video
    if video is not None:
        path = f"shorts/{video.video_id}" if video.is_short else f"watch?v={video.video_id}"
        return ff(
            f"{prefix}{video.title} - YouTube", f"https://www.youtube.com/{path}", audible=True
        )
    if slot.page == "subscriptions":
        return ff(f"{prefix}Subscriptions - YouTube", "https://www.youtube.com/feed/subscriptions")
    if slot.page == "watch_later":
        return ff(f"{prefix}Watch later - YouTube", "https://www.youtube.com/playlist?list=WL")
    if slot.page == "search":
        query = rng.choice(YOUTUBE_SEARCHES)
        return ff(
            f"{prefix}{query} - YouTube",
            "https://www.youtube.com/results?search_query=" + query.replace(" ", "+"),
        )
    return ff(f"{prefix}YouTube", "https://www.youtube.com/")


def render_youtube(
    tl: Timeline, segment: Segment, slots: Sequence[Slot], rng: random.Random
) -> None:
    # YouTube shows the number of unread notifications in the tab title: "(3) Title - YouTube"
    prefix = f"({rng.randint(1, 9)}) " if rng.random() < 0.25 else ""
    t = segment.start
    for slot in slots:
        if slot.end <= segment.start:
            continue
        start = max(slot.start, segment.start)
        tl.emit(start, slot.end, youtube_page(slot, prefix, rng))
        if slot.video is not None and slot.end - start > 12 * MINUTE and rng.random() < 0.1:
            # fullscreen, no input for a while: aw-watcher-afk calls it AFK after 3 min
            tl.afk.append(
                (
                    start + 3 * MINUTE + rng.randint(0, MINUTE),
                    slot.end - rng.randint(5, 30) * SECOND,
                )
            )
        t = slot.end
    if segment.end - t >= MIN_EVENT_MS:
        tl.emit(t, segment.end, ff(f"{prefix}YouTube", "https://www.youtube.com/"))
    elif tl.window and tl.window[-1][1] == t:
        tl.window[-1][1] = segment.end


def render_activity(
    segments: Sequence[Segment],
    sessions: dict[int, list[Slot]],
    start_ms: int,
    end_ms: int,
    seed: int,
) -> Timeline:
    """Window events, AFK breaks and active spans of the laptop between two moments."""
    rng, tl = _rng(seed, "activity"), Timeline()
    zone = ZoneInfo(TIMEZONE)
    state: dict[str, Any] = {}
    for i, segment in enumerate(segments):
        if segment.kind == "phone" or segment.end <= start_ms or segment.start >= end_ms:
            continue
        clipped = Segment(
            segment.kind, max(segment.start, start_ms), min(segment.end, end_ms), segment.topic
        )
        today = _utc(clipped.start).astimezone(zone).date()
        if state.get("day") != today:
            state.update(day=today, project=rng.choice(WORK_PROJECTS))
        render_segment(tl, clipped, sessions.get(i, []), state, rng)
    return tl


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start - merged[-1][1] < SECOND:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged if b > a]


def subtract_intervals(
    base: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    out, j = [], 0
    for start, end in base:
        t = start
        while j < len(holes) and holes[j][1] <= t:
            j += 1
        k = j
        while k < len(holes) and holes[k][0] < end:
            if holes[k][0] > t:
                out.append((t, holes[k][0]))
            t = max(t, holes[k][1])
            k += 1
        if t < end:
            out.append((t, end))
    return [(a, b) for a, b in out if b - a >= SECOND]


def afk_periods(tl: Timeline, start_ms: int, end_ms: int) -> list[tuple[int, int, str]]:
    """Alternating not-afk / afk periods covering [start_ms, end_ms) without gaps."""
    active = subtract_intervals(merge_intervals(tl.active), merge_intervals(tl.afk))
    periods, t = [], start_ms
    for start, end in merge_intervals(active):
        if start > t:
            periods.append((t, start, "afk"))
        periods.append((start, end, "not-afk"))
        t = end
    if t < end_ms:
        periods.append((t, end_ms, "afk"))
    return periods


# ---------------------------------------------------------------------------------------------
# Output documents
# ---------------------------------------------------------------------------------------------

BUCKET_CREATED_MS = ANCHOR_MS - 431 * DAY + 8 * HOUR + 12 * MINUTE + 44_512


def _bucket(
    kind: str,
    bucket_type: str,
    client: str,
    first_id: int,
    events: Sequence[tuple[int, int, dict[str, Any]]],
) -> tuple[str, dict[str, Any]]:
    bucket_id = f"{kind}_{HOSTNAME}"
    rows = [
        {
            "id": first_id + i,
            "timestamp": iso_aw(start),
            "duration": (end - start) / 1000,
            "data": data,
        }
        for i, (start, end, data) in enumerate(events)
    ]
    rows.reverse()  # aw-server exports events newest first
    return bucket_id, {
        "id": bucket_id,
        "created": iso_aw(BUCKET_CREATED_MS),
        "name": None,
        "type": bucket_type,
        "client": client,
        "hostname": HOSTNAME,
        "data": {},
        "events": rows,
    }


def aw_export(tl: Timeline, start_ms: int, end_ms: int, seed: int) -> dict[str, Any]:
    """The document ``GET /api/0/export`` returns, for the window, AFK and web buckets."""
    rng = _rng(seed, "web")
    window, web, tabs = [], [], 7
    for start, end, page in tl.window:
        window.append(
            (
                start,
                end,
                {"app": page.app, "title": page.title + (FIREFOX_SUFFIX if page.url else "")},
            )
        )
        if page.url is not None:
            if rng.random() < 0.12:  # tabs come and go, drifting back to about a dozen
                tabs = max(2, tabs + rng.choice((-2, -1, 1, 2)) + (tabs < 8) - (tabs > 20))
            data = {
                "url": page.url,
                "title": page.title,
                "audible": page.audible,
                "incognito": False,
                "tabCount": tabs,
            }
            web.append((start, end, data))
    afk = [(a, b, {"status": status}) for a, b, status in afk_periods(tl, start_ms, end_ms)]
    buckets = dict(
        (
            _bucket("aw-watcher-window", "currentwindow", "aw-watcher-window", 1_204_311, window),
            _bucket("aw-watcher-afk", "afkstatus", "aw-watcher-afk", 88_017, afk),
            _bucket(
                "aw-watcher-web-firefox", "web.tab.current", "aw-watcher-web-firefox", 530_902, web
            ),
        )
    )
    return {"buckets": buckets}


def category_rules() -> list[dict[str, Any]]:
    """The web UI's category rules (server setting ``classes``), matching the generated apps.

    Rules match any string in an event's data; on equal depth the later rule wins, so Video
    comes after Programming (a video about GitHub is still a video) and Music after Video.
    """
    rows: list[tuple[list[str], str | None, bool, str]] = [
        (["Work"], r"Jira|Confluence|Google Docs|LibreOffice", False, "#0F0"),
        (
            ["Work", "Programming"],
            r"^(Code|jetbrains-pycharm-ce|Alacritty|Gnome-terminal)$|GitHub|Stack Overflow|"
            r"documentation|Docs|JupyterLab|Dagster|NiceGUI|PyPI|Grafana|Sentry|localhost",
            False,
            "#0F0",
        ),
        (
            ["Work", "Research"],
            r"arxiv|^\[\d{4}\.\d{4,5}\]|\.pdf\b|^evince$|obsidian|openreview|papers with code",
            True,
            "#3B3",
        ),
        (["Comms"], None, False, "#0FF"),
        (["Comms", "IM"], r"Slack|Discord|Signal|Telegram|WhatsApp", True, "#0FF"),
        (["Comms", "Email"], r"Thunderbird|Gmail", True, "#0FF"),
        (["Comms", "Meetings"], r"^zoom$|Zoom Meeting|Zoom Workplace|Google Meet", False, "#0FF"),
        (["Media"], None, False, "#F33"),
        (
            ["Media", "Games"],
            r"^steam$|^steam_app_\d+$|Minecraft|Factorio|Stardew Valley",
            False,
            "#F80",
        ),
        (["Media", "Social Media"], r"Reddit|\br/\w+|Hacker News|Mastodon|Bluesky", True, "#F33"),
        (["Media", "Video"], r"YouTube(?! Music)|^vlc$|VLC media player|Netflix", False, "#F33"),
        (["Media", "Music"], r"^Spotify$|YouTube Music|Deezer|Bandcamp", False, "#F33"),
        (["Uncategorized"], None, False, "#CCC"),
    ]
    rules = []
    for i, (name, regex, ignore_case, color) in enumerate(rows, start=1):
        rule: dict[str, Any] = {"type": None}
        if regex is not None:
            rule = {"type": "regex", "regex": regex, "ignore_case": ignore_case}
        rules.append({"id": i, "name": name, "rule": rule, "data": {"color": color}})
    return rules


def video_thumbnails(video_id: str) -> dict[str, Any]:
    base = f"https://i.ytimg.com/vi/{video_id}"
    return {
        "default": {"url": f"{base}/default.jpg", "width": 120, "height": 90},
        "medium": {"url": f"{base}/mqdefault.jpg", "width": 320, "height": 180},
        "high": {"url": f"{base}/hqdefault.jpg", "width": 480, "height": 360},
    }


def channel_thumbnails(channel_id: str) -> dict[str, Any]:
    base = "https://yt3.ggpht.com/" + _digest("avatar", channel_id, length=43)
    return {
        size: {"url": f"{base}=s{px}-c-k-c0x00ffffff-no-rj", "width": px, "height": px}
        for size, px in (("default", 88), ("medium", 240), ("high", 800))
    }


def video_resource(video: DemoVideo) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "publishedAt": iso_api(video.published_ms),
        "channelId": video.channel.channel_id,
        "title": video.title,
        "description": video.description,
        "thumbnails": video_thumbnails(video.video_id),
        "channelTitle": video.channel.title,
    }
    if video.tags:
        snippet["tags"] = list(video.tags)
    snippet["categoryId"] = (
        "10" if video.channel.kind == "music" else TOPICS[video.channel.topic]["category"]
    )
    snippet["liveBroadcastContent"] = "live" if video.duration_s is None else "none"
    if video.audio_language:
        snippet["defaultAudioLanguage"] = video.audio_language
    snippet["localized"] = {"title": video.title, "description": video.description}
    return {
        "kind": "youtube#video",
        "etag": etag(video.video_id, video.title),
        "id": video.video_id,
        "snippet": snippet,
        "contentDetails": {
            "duration": iso_duration(video.duration_s),
            "dimension": "2d",
            "definition": video.definition,
            "caption": "true" if video.caption else "false",
            "licensedContent": video.channel.kind != "advertiser",
            "contentRating": {},
            "projection": "rectangular",
        },
    }


def channel_resource(channel: DemoChannel) -> dict[str, Any]:
    description = channel_description(channel)
    snippet: dict[str, Any] = {
        "title": channel.title,
        "description": description,
        "customUrl": f"@{channel.handle}",
        "publishedAt": iso_api(channel.created_ms),
        "thumbnails": channel_thumbnails(channel.channel_id),
        "localized": {"title": channel.title, "description": description},
    }
    if channel.country:
        snippet["country"] = channel.country
    return {
        "kind": "youtube#channel",
        "etag": etag(channel.channel_id),
        "id": channel.channel_id,
        "snippet": snippet,
        "contentDetails": {
            "relatedPlaylists": {"likes": "", "uploads": channel.uploads_playlist_id}
        },
    }


def subscription_resource(
    channel: DemoChannel, user_channel_id: str, total: int, rng: random.Random
) -> dict[str, Any]:
    since = max(channel.created_ms + 30 * DAY, ANCHOR_MS - rng.randint(120, 2400) * DAY)
    since += rng.randint(0, DAY - 1)
    return {
        "kind": "youtube#subscription",
        "etag": etag("subscription", channel.channel_id),
        "id": _digest("subscription", user_channel_id, channel.channel_id, length=43),
        "snippet": {
            "publishedAt": iso_api(since, fraction=True),
            "title": channel.title,
            "description": channel_description(channel),
            "resourceId": {"kind": "youtube#channel", "channelId": channel.channel_id},
            "channelId": user_channel_id,
            "thumbnails": channel_thumbnails(channel.channel_id),
        },
        "contentDetails": {"totalItemCount": total, "newItemCount": 0, "activityType": "all"},
    }


def playlist_item_resource(video: DemoVideo, position: int) -> dict[str, Any]:
    channel, playlist_id = video.channel, video.channel.uploads_playlist_id
    return {
        "kind": "youtube#playlistItem",
        "etag": etag("item", playlist_id, video.video_id),
        "id": base64.b64encode(f"{playlist_id}.{video.video_id}".encode()).decode(),
        "snippet": {
            "publishedAt": iso_api(video.published_ms),
            "channelId": channel.channel_id,
            "title": video.title,
            "description": video.description,
            "thumbnails": video_thumbnails(video.video_id),
            "channelTitle": channel.title,
            "playlistId": playlist_id,
            "position": position,
            "resourceId": {"kind": "youtube#video", "videoId": video.video_id},
            "videoOwnerChannelTitle": channel.title,
            "videoOwnerChannelId": channel.channel_id,
        },
        "contentDetails": {
            "videoId": video.video_id,
            "videoPublishedAt": iso_api(video.published_ms),
        },
    }


def youtube_documents(
    catalogue: Catalogue, referenced: Iterable[DemoVideo], ratings: dict[str, list[str]], seed: int
) -> dict[str, Any]:
    """The five files the YouTube snapshot serves, keyed by file name."""
    rng = _rng(seed, "youtube")
    subscribed = sorted(
        (c for c in catalogue.channels if c.subscribed), key=lambda c: c.title.casefold()
    )
    uploads = {c.channel_id: [] for c in subscribed}
    for video in sorted(catalogue.videos, key=lambda v: (-v.published_ms, v.video_id)):
        if video.in_uploads:
            uploads[video.channel.channel_id].append(video)
    known = {v.video_id: v for v in referenced}
    for items in uploads.values():
        known.update((v.video_id, v) for v in items)
    listed = sorted(known.values(), key=lambda v: (-v.published_ms, v.video_id))
    back_catalogue = {c.channel_id: 0 for c in subscribed}
    for video in catalogue.videos:
        if video.channel.subscribed and not video.in_uploads:
            back_catalogue[video.channel.channel_id] += 1
    return {
        "subscriptions.json": [
            subscription_resource(
                c,
                catalogue.user_channel_id,
                len(uploads[c.channel_id]) + back_catalogue[c.channel_id] + rng.randint(40, 900),
                rng,
            )
            for c in subscribed
        ],
        "channels.json": [channel_resource(c) for c in subscribed],
        "playlist_items.json": {
            c.uploads_playlist_id: [
                playlist_item_resource(v, i) for i, v in enumerate(uploads[c.channel_id])
            ]
            for c in subscribed
        },
        "videos.json": [video_resource(v) for v in listed],
        "ratings.json": ratings,
    }


# ---------------------------------------------------------------------------------------------
# Ratings and the Takeout watch history
# ---------------------------------------------------------------------------------------------


def with_deleted_videos(
    watches: Sequence[Watch], catalogue: Catalogue, before_ms: int, rng: random.Random
) -> list[Watch]:
    """Some videos watched months ago have been deleted since: swap them into old watches."""
    old = [i for i, w in enumerate(watches) if w.time_ms < before_ms]
    chosen = sorted(rng.sample(old, len(catalogue.deleted)))
    swapped = list(watches)
    for i, video in zip(chosen, catalogue.deleted, strict=True):
        swapped[i] = Watch(watches[i].time_ms, video, watches[i].on_phone)
    return swapped


def choose_ratings(
    watches: Sequence[Watch], catalogue: Catalogue, takeout_start: int, rng: random.Random
) -> tuple[list[DemoVideo], list[DemoVideo]]:
    """Likes and dislikes, most recent first: mostly videos watched lately, some older likes."""
    deleted = {v.video_id for v in catalogue.deleted}
    last_watch: dict[str, Watch] = {}
    times_watched: dict[str, int] = {}
    for watch in sorted(watches, key=lambda w: w.time_ms):
        if watch.video.video_id not in deleted and watch.video.channel.kind in (
            "subscribed",
            "other",
        ):
            last_watch[watch.video.video_id] = watch
            times_watched[watch.video.video_id] = times_watched.get(watch.video.video_id, 0) + 1
    watched = [w.video for w in last_watch.values()]

    def like_weight(v: DemoVideo) -> float:
        again = 1.6 if times_watched.get(v.video_id, 0) > 1 else 1.0
        return TOPICS[v.channel.topic]["like"] * v.channel.taste * again

    n_likes = rng.randint(*LIKES_TARGET)
    n_old = round(n_likes * 0.15)
    liked = _weighted_keys(watched, [like_weight(v) for v in watched], n_likes - n_old, rng)
    unwatched_old = [
        v
        for v in catalogue.videos
        if v.video_id not in last_watch
        and v.published_ms < takeout_start - 30 * DAY
        and v.channel.kind in ("subscribed", "other")
    ]
    old = _weighted_keys(unwatched_old, [like_weight(v) for v in unwatched_old], n_old, rng)
    liked_ids = {v.video_id for v in liked}
    rest = [v for v in watched if v.video_id not in liked_ids]

    def dislike_weight(v: DemoVideo) -> float:
        return TOPICS[v.channel.topic]["dislike"] * (4.0 if v.title.isupper() else 1.0)

    disliked = _weighted_keys(
        rest, [dislike_weight(v) for v in rest], rng.randint(*DISLIKES_TARGET), rng
    )

    def rated_at(v: DemoVideo) -> int:
        if v.video_id in last_watch:
            return last_watch[v.video_id].time_ms + rng.randint(1, 30) * MINUTE
        return min(takeout_start - DAY, v.published_ms + rng.randint(1, 60) * DAY)

    def newest_first(videos: list[DemoVideo]) -> list[DemoVideo]:
        stamped = [(rated_at(v), v.video_id, v) for v in videos]
        return [v for _, _, v in sorted(stamped, key=lambda x: (-x[0], x[1]))]

    return newest_first(liked + old), newest_first(disliked)


def _channel_url(channel: DemoChannel) -> str:
    return f"https://www.youtube.com/channel/{channel.channel_id}"


def takeout_entry(video: DemoVideo, time_ms: int, *, kind: str = "watch") -> dict[str, Any]:
    """One "My Activity" item; ``kind`` is watch, ad, music or url_title (a deleted video)."""
    host = "music.youtube.com" if kind == "music" else "www.youtube.com"
    url = f"https://{host}/watch?v={video.video_id}"
    entry: dict[str, Any] = {
        "header": "YouTube Music" if kind == "music" else "YouTube",
        "title": f"Watched {url if kind == 'url_title' else video.title}",
        "titleUrl": url,
    }
    if kind != "url_title":
        entry["subtitles"] = [{"name": video.channel.title, "url": _channel_url(video.channel)}]
    if kind == "ad":
        entry["details"] = [{"name": "From Google Ads"}]
    entry["time"] = iso_takeout(time_ms)
    entry["products"] = ["YouTube"]
    entry["activityControls"] = (
        ["Web & App Activity", "YouTube watch history", "YouTube search history"]
        if kind == "ad"
        else ["YouTube watch history"]
    )
    return entry


def post_entry(channel: DemoChannel, text: str, time_ms: int) -> dict[str, Any]:
    post_id = "Ugkx" + _digest("post", channel.channel_id, text, length=32)
    return {
        "header": "YouTube",
        "title": f"Viewed {text}",
        "titleUrl": f"https://www.youtube.com/post/{post_id}",
        "subtitles": [{"name": channel.title, "url": _channel_url(channel)}],
        "time": iso_takeout(time_ms),
        "products": ["YouTube"],
        "activityControls": ["YouTube watch history"],
    }


def removed_entry(time_ms: int) -> dict[str, Any]:
    return {
        "header": "YouTube",
        "title": "Watched a video that has been removed",
        "time": iso_takeout(time_ms),
        "products": ["YouTube"],
        "activityControls": ["YouTube watch history"],
    }


@dataclass(frozen=True, slots=True)
class TakeoutHistoryDoc:
    entries: list[dict[str, Any]]  # newest first
    counts: dict[str, int]
    extra_videos: tuple[DemoVideo, ...]  # ads and music tracks, which the API knows too


def takeout_history(
    watches: Sequence[Watch], catalogue: Catalogue, takeout_start: int, seed: int
) -> TakeoutHistoryDoc:
    rng, zone = _rng(seed, "takeout"), ZoneInfo(TIMEZONE)
    deleted = {v.video_id for v in catalogue.deleted}
    stamped: list[tuple[int, dict[str, Any]]] = []
    # Takeout often remembers only the link of a video that is gone: "Watched https://..."
    link_only = {v.video_id for v in catalogue.deleted[::2]}
    for watch in watches:
        kind = "url_title" if watch.video.video_id in link_only else "watch"
        stamped.append((watch.time_ms, takeout_entry(watch.video, watch.time_ms, kind=kind)))
    ads = [v for v in catalogue.videos if v.channel.kind == "advertiser"]
    music = [v for v in catalogue.videos if v.channel.kind == "music"]
    used: dict[str, DemoVideo] = {}
    for i in sorted(rng.sample(range(len(watches)), N_ADS)):
        ad = rng.choice(ads)
        used[ad.video_id] = ad
        moment = watches[i].time_ms - rng.randint(6, 40) * SECOND
        stamped.append((moment, takeout_entry(ad, moment, kind="ad")))
    subscribed = [c for c in catalogue.channels if c.subscribed]
    for i, text in zip(sorted(rng.sample(range(len(watches)), N_POSTS)), POST_TEXTS, strict=True):
        channel = (
            watches[i].video.channel
            if watches[i].video.channel.subscribed
            else rng.choice(subscribed)
        )
        moment = watches[i].time_ms - rng.randint(60, 600) * SECOND
        stamped.append((moment, post_entry(channel, text, moment)))
    old = [w.time_ms for w in watches if w.time_ms < ANCHOR_MS - AW_DAYS * DAY]
    for moment in sorted(rng.sample(old, N_REMOVED)):
        moment -= rng.randint(120, 1800) * SECOND
        stamped.append((moment, removed_entry(moment)))
    for _ in range(N_MUSIC):  # on the phone, on the way to the office
        day = (
            (_utc(takeout_start) + timedelta(days=rng.randint(1, TAKEOUT_DAYS - 1)))
            .astimezone(zone)
            .date()
        )
        day -= timedelta(days=max(0, day.weekday() - 4))
        moment = local_ms(day, rng.uniform(8.1, 8.8), zone) + rng.randint(0, 999)
        track = rng.choice(music)
        used[track.video_id] = track
        stamped.append((moment, takeout_entry(track, moment, kind="music")))
    stamped.sort(key=lambda x: -x[0])
    counts = {
        "entries": len(stamped),
        "watched_videos": len(watches),
        "ads": N_ADS,
        "community_posts": N_POSTS,
        "removed_videos": N_REMOVED,
        "youtube_music": N_MUSIC,
        "deleted_videos": len(deleted),
        "distinct_videos_watched": len({w.video.video_id for w in watches}),
    }
    extra = tuple(sorted(used.values(), key=lambda v: v.video_id))
    return TakeoutHistoryDoc([e for _, e in stamped], counts, extra)


def takeout_json(entries: Sequence[dict[str, Any]]) -> str:
    """Takeout's JSON: GSON pretty printing with HTML-safe escapes (``=`` as ``\\u003d``)."""
    text = "[" + ",".join(json.dumps(e, ensure_ascii=False, indent=2) for e in entries) + "]"
    for char in "&<>='":  # only ever inside strings in JSON text, so replacing is safe
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


# ---------------------------------------------------------------------------------------------
# Assembling and writing the files
# ---------------------------------------------------------------------------------------------


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def build_demo_data(seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """Every demo file's bytes, keyed by its path relative to the data folder."""
    aw_start, takeout_start = ANCHOR_MS - AW_DAYS * DAY, ANCHOR_MS - TAKEOUT_DAYS * DAY
    catalogue = make_catalogue(seed)
    segments = plan_days(takeout_start, ANCHOR_MS, seed)
    sessions = watch_sessions(segments, catalogue, seed)
    timeline = render_activity(segments, sessions, aw_start, ANCHOR_MS, seed)
    export = aw_export(timeline, aw_start, ANCHOR_MS, seed)

    rng = _rng(seed, "history")
    watches = with_deleted_videos(
        watches_of(segments, sessions), catalogue, aw_start - 2 * DAY, rng
    )
    likes, dislikes = choose_ratings(watches, catalogue, takeout_start, rng)
    history = takeout_history(watches, catalogue, takeout_start, seed)
    deleted = {v.video_id for v in catalogue.deleted}
    referenced = [w.video for w in watches if w.video.video_id not in deleted]
    referenced += [*likes, *dislikes, *history.extra_videos]
    ratings = {"like": [v.video_id for v in likes], "dislike": [v.video_id for v in dislikes]}
    youtube = youtube_documents(catalogue, referenced, ratings, seed)

    files = {
        AW_EXPORT_FILE: gzip.compress(
            json.dumps(export, ensure_ascii=False, separators=(",", ":")).encode(),
            compresslevel=9,
            mtime=0,
        ),
        AW_CATEGORIES_FILE: _json_bytes(category_rules()),
        **{f"{YOUTUBE_DIR}/{name}": _json_bytes(doc) for name, doc in youtube.items()},
        TAKEOUT_WATCH_HISTORY_FILE: (takeout_json(history.entries) + "\n").encode(),
    }
    manifest = make_manifest(seed, catalogue, export, youtube, history, sorted(deleted), files)
    files[MANIFEST_FILE] = _json_bytes(manifest)
    return files


def make_manifest(
    seed: int,
    catalogue: Catalogue,
    export: dict[str, Any],
    youtube: dict[str, Any],
    history: TakeoutHistoryDoc,
    deleted_ids: list[str],
    files: dict[str, bytes],
) -> dict[str, Any]:
    buckets = export["buckets"]
    window = buckets[f"aw-watcher-window_{HOSTNAME}"]["events"]
    videos = youtube["videos.json"]
    return {
        "generator": "python -m vrdndi_pipeline.demo.generate_demo_data",
        "anchor": iso_api(ANCHOR_MS),
        "seed": seed,
        "hostname": HOSTNAME,
        "timezone": TIMEZONE,
        "user_channel_id": catalogue.user_channel_id,
        "activitywatch": {
            "days": AW_DAYS,
            "first_event": window[-1]["timestamp"],
            "last_event": window[0]["timestamp"],
            "events": {bucket_id: len(bucket["events"]) for bucket_id, bucket in buckets.items()},
            "category_rules": len(category_rules()),
        },
        "youtube": {
            "subscriptions": len(youtube["subscriptions.json"]),
            "channels": len(youtube["channels.json"]),
            "uploads_playlists": len(youtube["playlist_items.json"]),
            "playlist_items": sum(len(items) for items in youtube["playlist_items.json"].values()),
            "upload_days": UPLOAD_DAYS,
            "videos": len(videos),
            "live_videos": sum(v["contentDetails"]["duration"] == "P0D" for v in videos),
            "likes": len(youtube["ratings.json"]["like"]),
            "dislikes": len(youtube["ratings.json"]["dislike"]),
        },
        "takeout": {"days": TAKEOUT_DAYS, **history.counts, "deleted_video_ids": deleted_ids},
        "files": {
            name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        },
    }


def write_demo_data(out: Path, seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    files = build_demo_data(seed)
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m vrdndi_pipeline.demo.generate_demo_data",
        description=(
            "Write the demo data: 21 days of ActivityWatch events, ActivityWatch category rules, "
            "YouTube Data API resources and a 120-day Google Takeout watch history of a made-up "
            f"developer in {TIMEZONE}, all relative to the fixed anchor {iso_api(ANCHOR_MS)}. "
            "The same seed always writes byte-identical files."
        ),
        epilog="The bundled data is checked against this script by tests/test_demo_data.py; "
        "after changing the script, regenerate it with the default options.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEMO_DATA_DIR,
        help="folder to write into (default: the package's demo/data folder)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed; the bundled data uses the default, {DEFAULT_SEED}",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    files = write_demo_data(args.out, args.seed)
    manifest = json.loads(files[MANIFEST_FILE])
    for name, info in manifest["files"].items():
        print(f"{info['bytes']:>10,} bytes  {args.out / name}")
    print(f"activitywatch events: {manifest['activitywatch']['events']}")
    print(f"youtube: {manifest['youtube']}")
    print(
        f"takeout: { {k: v for k, v in manifest['takeout'].items() if k != 'deleted_video_ids'} }"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
