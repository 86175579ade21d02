"""YouTube Data API v3 resources for the snapshot files: subscriptions, channels, uploads
playlist items, videos and ratings (see ``demo/youtube_snapshot.py``)."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterable
from typing import Any

from vrdndi_pipeline.demo.anchor import ANCHOR_MS, DAY, part_rng
from vrdndi_pipeline.demo.generator.catalogue_topics import TOPICS
from vrdndi_pipeline.demo.generator.identifiers import digest, etag
from vrdndi_pipeline.demo.generator.records import Catalogue, DemoChannel, DemoVideo
from vrdndi_pipeline.demo.generator.timestamps import iso_api, iso_duration
from vrdndi_pipeline.demo.generator.video_text import channel_description


def video_thumbnails(video_id: str) -> dict[str, Any]:
    base = f"https://i.ytimg.com/vi/{video_id}"
    return {
        "default": {"url": f"{base}/default.jpg", "width": 120, "height": 90},
        "medium": {"url": f"{base}/mqdefault.jpg", "width": 320, "height": 180},
        "high": {"url": f"{base}/hqdefault.jpg", "width": 480, "height": 360},
    }


def channel_thumbnails(channel_id: str) -> dict[str, Any]:
    base = "https://yt3.ggpht.com/" + digest("avatar", channel_id, length=43)
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
        "id": digest("subscription", user_channel_id, channel.channel_id, length=43),
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
    rng = part_rng(seed, "youtube")
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
