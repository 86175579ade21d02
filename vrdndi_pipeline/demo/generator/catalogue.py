"""The YouTube catalogue: every channel and every video that exists at the anchor, plus the
videos deleted since (watched once, unknown to the API)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from vrdndi_pipeline.demo.anchor import ANCHOR_MS, DAY, HOUR, MINUTE, UPLOAD_DAYS, part_rng
from vrdndi_pipeline.demo.generator.catalogue_channels import (
    ADVERTISERS,
    MUSIC_ARTISTS,
    OTHER_CHANNELS,
    SUBSCRIBED_CHANNELS,
)
from vrdndi_pipeline.demo.generator.catalogue_topics import TOPICS
from vrdndi_pipeline.demo.generator.identifiers import new_channel_id, new_video_id, slug
from vrdndi_pipeline.demo.generator.records import Catalogue, DemoChannel, DemoVideo
from vrdndi_pipeline.demo.generator.video_text import make_description, make_title

N_DELETED = 10


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
        handle=slug(title).replace("-", ""),
        topic="lofi" if kind == "music" else "viral",
        style="normal",
        uploads=0,
        country=None,
        kind=kind,
        created_ms=ANCHOR_MS - rng.randint(900, 4000) * DAY,
        publish_hour=12.0,
        taste=1.0,
    )


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
            text = f"{ad}. Mehr Infos unter https://www.{slug(advertiser).replace('-', '')}.de"
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
    rng = part_rng(seed, "catalogue")
    ids: set[str] = set()
    channel_ids: set[str] = set()
    user_channel_id = new_channel_id(rng, channel_ids)
    channels = make_channels(rng, channel_ids)
    videos = make_videos(channels, rng, ids)
    deleted = make_deleted_videos(channels, rng, ids)
    return Catalogue(channels, tuple(videos), deleted, user_channel_id)
