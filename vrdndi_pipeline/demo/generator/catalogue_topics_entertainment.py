"""Content catalogue, entertainment topics: games, music, comedy, and the clickbait the person dislikes.

Fields are described in :mod:`vrdndi_pipeline.demo.generator.catalogue_topics`.
"""

from __future__ import annotations

from typing import Any

# fmt: off
ENTERTAINMENT_TOPICS: dict[str, dict[str, Any]] = {
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
# fmt: on
