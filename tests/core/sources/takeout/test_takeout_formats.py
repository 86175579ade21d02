"""Takeout watch histories as real exports come: any account language, pre-2017, gzip'd, capped.

The files in ``tests/data/takeout_languages/`` are one small export per account language, each
with the same eight items in Takeout's order and style: three watches with their channel, a watch
Takeout only knew the link of, an ad (``details`` in that language), a community post, a visit
to YouTube Music and a removed video. The phrases are those Takeout readers in the wild list
("Vous avez regardé …", "… angesehen", "… を視聴しました"); the Chinese file uses "已观看 ", and
``pt.json`` is in a language the parser has no phrase for, so its phrase must be learned.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.harness.paths import TEST_DATA
from vrdndi_pipeline.core.sources.takeout.history import (
    TakeoutFormatError,
    TitleShape,
    learn_title_shapes,
    load_watch_history,
    parse_watch_history,
)
from vrdndi_pipeline.resources.takeout import TakeoutWatchHistory

LANGUAGES = TEST_DATA / "takeout_languages"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
SKIPS = {"ad": 1, "post": 1, "removed": 1, "music_visit": 1}

# language: the titles of the four watches (None: Takeout only knew the link), in file order
EXPECTED_TITLES: dict[str, list[str | None]] = {
    "en": [
        "Attention Is All You Need — paper explained",
        "Watched: a short film about attention",
        None,
        "Says",
    ],
    "fr": [
        "Comment fonctionne un moteur à explosion ?",
        "Le Monde en 2050 : ce qui nous attend",
        None,
        "Vous avez dit « baguette » ?",
    ],
    "de": [
        "Wie funktioniert ein Kernkraftwerk?",
        "Tagesschau 20:00 Uhr",
        None,
        "Angesehen: Die besten Filme 2026",
    ],
    "es": [
        "Cómo hacer una tortilla de patatas perfecta",
        "Historia de España en 10 minutos",
        None,
        "¿Has visto esto? Los mejores goles de 2026",
    ],
    "uk": [
        "Як працює ядерний реактор",
        "Київ у 4K — прогулянка містом",
        None,
        "Борщ: рецепт від бабусі",
    ],
    "ja": ["【料理】親子丼を作ってみた", "東京の夜景 4K", None, "Lo-fi Beats to study to"],
    "zh": ["三分钟了解量子计算", "北京美食之旅 Vlog", None, "已观看 100 万次的魔术揭秘"],
    "pt": [
        "O Brasil em 10 minutos",
        "Receita de pão de queijo mineiro",
        None,
        "A história do samba",
    ],
}


def items_of(language: str) -> list[dict[str, Any]]:
    return json.loads((LANGUAGES / f"{language}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", sorted(EXPECTED_TITLES))
def test_an_export_in_each_language(language: str) -> None:
    items = items_of(language)
    history = load_watch_history(LANGUAGES / f"{language}.json", now=NOW)

    assert [e.title for e in history.entries] == EXPECTED_TITLES[language]
    watches = [i for i in items if "details" not in i and "/watch?v=" in i.get("titleUrl", "")]
    assert [e.video_id for e in history.entries] == [i["titleUrl"][-11:] for i in watches]
    assert [e.channel_title for e in history.entries] == [
        i["subtitles"][0]["name"] if "subtitles" in i else None for i in watches
    ]
    assert all(e.channel_id is None or e.channel_id.startswith("UC") for e in history.entries)
    assert {reason: n for reason, n in history.skipped.items() if n} == SKIPS
    assert history.items == len(items) == 8
    assert history.rejections == ()
    assert not any(history.repaired.values())


def test_a_file_mixing_languages_strips_each_title_by_its_own_phrase() -> None:
    history = load_watch_history(LANGUAGES / "mixed.json", now=NOW)
    assert [e.title for e in history.entries] == [
        "How Rust ownership works",
        "Minecraft Hardcore #1",  # not "#1": "Watched Minecraft Hardcore " is no phrase
        "La cuisine lyonnaise",
        "Minecraft Hardcore #2",
        "東京の夜景 4K",
        "Watched: a review",
        "Vous avez regardé ? — a French lesson",
    ]
    assert {reason: n for reason, n in history.skipped.items() if n} == {"removed": 1}


def one(title: str, video_id: str = "aBcD3fGh1jQ") -> dict[str, Any]:
    return {
        "header": "YouTube",
        "title": title,
        "titleUrl": f"https://www.youtube.com/watch?v={video_id}",
        "time": "2026-11-14T20:13:05.123Z",
        "products": ["YouTube"],
    }


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Watched Minecraft Hardcore #1", "Minecraft Hardcore #1"),
        ("Vous avez regardé La cuisine lyonnaise", "La cuisine lyonnaise"),
        ("東京の夜景 4K を視聴しました", "東京の夜景 4K"),
        ("Ein Titel angesehen", "Ein Titel"),
        # a language without a known phrase: one title cannot tell phrase from title
        ("Assistiu a O Brasil em 10 minutos", "Assistiu a O Brasil em 10 minutos"),
        ("Watched", "Watched"),  # nothing around: the title is the word
        ("Watched ", None),  # the phrase around nothing
    ],
)
def test_a_file_of_one_entry(title: str, expected: str | None) -> None:
    history = parse_watch_history(json.dumps([one(title)]), now=NOW)
    assert [e.title for e in history.entries] == [expected]


PORTUGUESE = [f"Receita {n}: pão de queijo" for n in range(12)] + [
    "O Brasil em 10 minutos",
    "A história do samba",
    *(f"Aula {n} de violão" for n in range(8)),
]


def test_a_phrase_the_parser_does_not_know_is_learned_from_the_file() -> None:
    titles = [f"Assistiu a {t}" for t in PORTUGUESE]
    history = parse_watch_history(json.dumps([one(t) for t in titles]), now=NOW)
    assert [e.title for e in history.entries] == PORTUGUESE


def test_a_few_titles_of_one_series_are_never_cut_to_the_series() -> None:
    titles = ["Gekeken: Minecraft Let's Play #1", "Gekeken: Minecraft Let's Play #2"]
    history = parse_watch_history(json.dumps([one(t) for t in titles]), now=NOW)
    # too few titles to learn an unknown phrase from: keep it rather than cut the title
    assert [e.title for e in history.entries] == titles


def test_a_link_only_title_gives_the_exact_phrase_of_the_file() -> None:
    link = "https://www.youtube.com/watch?v=dEl3t3dV1d0"
    items = [one(f"Assistiu a {link}", "dEl3t3dV1d0"), one("Assistiu a O Brasil em 10 minutos")]
    history = parse_watch_history(json.dumps(items), now=NOW)
    assert [e.title for e in history.entries] == [None, "O Brasil em 10 minutos"]


def test_learned_phrases_rank_by_support_then_how_they_are_known() -> None:
    shapes = learn_title_shapes(
        [
            "Watched Minecraft Hardcore #1",
            "Watched Minecraft Hardcore #2",
            "Obejrzeno: Gra #1",
            "Obejrzeno: Gra #2",
            *(f"Obejrzeno: {t}" for t in PORTUGUESE),
        ]
    )
    # "Watched Minecraft Hardcore " is shared by as many titles as "Watched ", which is known
    assert shapes.best("Watched Minecraft Hardcore #1") == TitleShape("Watched ")
    # an unknown phrase: the run most titles share, not the series two of them share
    assert shapes.best("Obejrzeno: Gra #1") == TitleShape("Obejrzeno: ")
    assert shapes.video_title("Obejrzeno: Gra #1") == "Gra #1"
    assert shapes.video_title("Something else entirely") == "Something else entirely"
    assert shapes.reads_like_a_watch("Watched a video that has been removed")
    assert not shapes.reads_like_a_watch("Visited YouTube Music")


def test_ads_are_told_by_structure_in_any_language() -> None:
    ad = {**one("Від Реклами Google"), "details": [{"name": "Від Реклами Google"}]}
    not_ads = [
        {**one("Watched a"), "details": []},
        {**one("Watched b"), "details": "From Google Ads"},
        {**one("Watched c"), "details": [{"label": "x"}]},
    ]
    history = parse_watch_history(json.dumps([ad, *not_ads]), now=NOW)
    assert history.skipped["ad"] == 1 and len(history.entries) == 3


def test_youtube_music_visits_are_not_removed_videos() -> None:
    items = [
        one("Watched Says"),
        {"header": "YouTube Music", "title": "Visited YouTube Music", "time": "2026-11-14T20:00Z"},
        {"header": "YouTube Music", "title": "Watched a video that has been removed"},
        {"header": "YouTube", "title": "Watched a video that has been removed"},
        {**one("Watched x"), "titleUrl": "https://music.youtube.com/library"},
        {**one("Watched x"), "header": "YouTube Music", "titleUrl": "https://youtube.com/@nils"},
    ]
    history = parse_watch_history(json.dumps(items), now=NOW)
    assert {reason: n for reason, n in history.skipped.items() if n} == {
        "music_visit": 3,
        "removed": 2,
    }


# --- the pre-2017 format: YouTube API playlist items ------------------------------------------


def playlist_item(
    video_id: str, added: str, title: str, owner: str | None = None
) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "publishedAt": added,
        "channelId": "UCuserUserUserUserUser00",  # the account's own history playlist
        "title": title,
        "description": "",
        "channelTitle": "me",
        "playlistId": "HLuserUserUserUserUser00",
        "position": 0,
        "resourceId": {"kind": "youtube#video", "videoId": video_id},
    }
    if owner is not None:
        snippet |= {"videoOwnerChannelTitle": owner, "videoOwnerChannelId": "UC" + "a" * 22}
    return {
        "kind": "youtube#playlistItem",
        "etag": '"abc/def"',
        "id": "UExIT1RfaXRlbQ",
        "snippet": snippet,
        "contentDetails": {"videoId": video_id},
    }


def test_a_pre_2017_history_of_playlist_items_is_imported() -> None:
    items = [
        playlist_item("aBcD3fGh1jQ", "2016-05-02T19:20:21.000Z", "Gangnam Style", "officialpsy"),
        playlist_item("kK2mN4pQ6sA", "2016-05-01T08:00:00.000Z", "Deleted video"),
        playlist_item("too-short", "2016-04-30T08:00:00.000Z", "x"),
        {**playlist_item("Sh0rtV1d3oA", "2004-01-01T00:00:00Z", "before YouTube")},
        {"kind": "youtube#playlistItem", "snippet": "?"},
        {
            **playlist_item("Zz9yX8wV7uQ", "2016-04-29T08:00:00Z", "a channel"),
            "snippet": {"resourceId": {"kind": "youtube#channel", "channelId": "UCx"}},
        },
    ]
    history = parse_watch_history(json.dumps(items), now=NOW)
    assert [(e.video_id, e.title, e.channel_title) for e in history.entries] == [
        ("aBcD3fGh1jQ", "Gangnam Style", "officialpsy"),
        ("kK2mN4pQ6sA", None, None),
    ]
    assert history.entries[0].watched_at == datetime(2016, 5, 2, 19, 20, 21, tzinfo=UTC)
    assert history.entries[0].channel_id == "UC" + "a" * 22
    assert {reason: n for reason, n in history.skipped.items() if n} == {
        "invalid_video_id": 1,
        "time_too_early": 1,
        "malformed_entry": 1,
        "not_a_video": 1,
    }
    assert [(r.key, r.reason) for r in history.rejections] == [
        ("too-short", "invalid_video_id"),
        ("Sh0rtV1d3oA", "time_too_early"),
        ("item 4", "malformed_entry"),
    ]


# --- files that are no watch history at all ---------------------------------------------------


def test_a_search_history_is_refused_with_what_was_found() -> None:
    searches = [
        {
            "header": "YouTube",
            "title": f"Searched for {q}",
            "titleUrl": f"https://www.youtube.com/results?search_query={q}",
            "time": "2026-11-14T20:13:05.123Z",
            "products": ["YouTube"],
        }
        for q in ("rust", "lofi")
    ]
    with pytest.raises(TakeoutFormatError, match=r"holds 2 items, but none .*search-history\.json"):
        parse_watch_history(json.dumps(searches), now=NOW)


def test_a_list_of_other_api_resources_is_refused() -> None:
    with pytest.raises(TakeoutFormatError, match=r"kind 'youtube#subscription'.*Multiple formats"):
        parse_watch_history(json.dumps([{"kind": "youtube#subscription"}]), now=NOW)


# --- gzip and the size limit ------------------------------------------------------------------


def test_a_gzipped_history_reads_like_the_plain_one(tmp_path: Path) -> None:
    plain = LANGUAGES / "fr.json"
    packed = tmp_path / "watch-history.json.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert load_watch_history(packed, now=NOW) == load_watch_history(plain, now=NOW)


def test_a_gzip_bomb_is_refused_before_it_fills_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "watch-history.json"
    bomb.write_bytes(gzip.compress(b"[" + b" " * (8 * 2**20) + b"]", compresslevel=9))
    assert bomb.stat().st_size < 20_000
    with pytest.raises(
        TakeoutFormatError, match=r"inflates \(gzip\) to more than the import limit"
    ):
        load_watch_history(bomb, max_import_mb=1)
    with pytest.raises(TakeoutFormatError, match=r"VRDNDI_MAX_IMPORT_MB=4"):
        TakeoutWatchHistory(path=str(bomb), max_import_mb=1).load()
    assert TakeoutWatchHistory(path=str(bomb), max_import_mb=9).load().items == 0


def test_a_file_over_the_limit_and_a_damaged_gzip(tmp_path: Path) -> None:
    big = tmp_path / "watch-history.json"
    big.write_bytes(b"[" + b" " * (2 * 2**20) + b"]")
    with pytest.raises(TakeoutFormatError, match=r"is 2 MB, more than the import limit of 1 MB"):
        load_watch_history(big, max_import_mb=1)
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(b"[]" * 1000)[:30])
    with pytest.raises(TakeoutFormatError, match=r"cannot be read .*Download the Takeout archive"):
        load_watch_history(broken)


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    raw = (LANGUAGES / "uk.json").read_text(encoding="utf-8").encode("utf-16")
    assert parse_watch_history(raw, now=NOW) == load_watch_history(LANGUAGES / "uk.json", now=NOW)
