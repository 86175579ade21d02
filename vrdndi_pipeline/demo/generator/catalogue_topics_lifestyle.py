"""Content catalogue, lifestyle topics: cooking, fitness, woodworking, travel.

Fields are described in :mod:`vrdndi_pipeline.demo.generator.catalogue_topics`.
"""

from __future__ import annotations

from typing import Any

# fmt: off
LIFESTYLE_TOPICS: dict[str, dict[str, Any]] = {
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
}
# fmt: on
